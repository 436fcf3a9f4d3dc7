// The customer-value dashboard served by ashna-server, in Chromium: after a site's model is fitted
// (`ashna-server fit-value --site`), the page draws the RFM grid, CLV histogram, p_alive scatter
// and the at-risk table from the backend API, under its strict CSP, without a console error.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, launch, watch } = require('./harness');

const serverBin = process.env.ASHNA_SERVER || require('node:path').join(__dirname, '..', '..', 'build', 'native', 'server', 'ashna-server');
const DAY = 86400000;

// 80 customers, deterministic: a fifth buy once, the rest come back now and then, some stop.
async function seed(api) {
  let s = 42;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const now = Date.now();
  const events = [];
  for (let c = 0; c < 80; c++) {
    let day = 30 + Math.floor(rand() * 300);
    const orders = c % 5 === 0 ? 1 : 1 + Math.floor(rand() * 7);
    const basket = 20 + rand() * 120;
    for (let k = 0; k < orders && day > 0; k++) {
      events.push({ customer: 'cust-' + c, event: { id: `o-${c}-${k}`, type: 'purchase', ts: now - day * DAY, channel: 'store',
        lines: [{ id: 'sku-' + (c % 9), price: Math.round(basket * (0.6 + rand() * 0.8) * 100) / 100 }] } });
      day -= 7 + Math.floor(rand() * 50);
    }
  }
  const res = await fetch(api.base + '/v1/events', { method: 'POST',
    headers: { Authorization: 'Bearer sk_demo', 'Content-Type': 'application/json' }, body: JSON.stringify({ events }) });
  assert.equal(res.status, 200, await res.text());
}

test('the dashboard draws a fitted site from the backend API', async () => {
  const api = await startServer();
  const b = await launch();
  try {
    await seed(api);
    const printed = JSON.parse(execFileSync(serverBin, ['fit-value', '--site', 'pk_demo', '--db', api.db], { stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.equal(printed.profiles, 80);
    assert.ok(printed.model.value, 'the value model is fitted: ' + printed.model.value_note);

    const page = await b.context.newPage();
    const seen = watch(page);
    await page.goto(api.base + '/dashboard/');
    await page.fill('#secret', 'sk_nope');
    await page.click('button[type=submit]');
    await page.waitForSelector('#status.error');
    assert.match(await page.textContent('#status'), /invalid_key/);
    seen.errors.length = 0;  // the 401s of the wrong key

    await page.fill('#secret', 'sk_demo');
    await page.click('button[type=submit]');
    await page.waitForSelector('#board:not([hidden])');
    const drawn = await page.evaluate(() => ({
      grid: document.querySelectorAll('#grid svg g rect').length,
      gridTotal: [...document.querySelectorAll('#grid svg g text')].reduce((a, t) => a + Number(t.textContent), 0),
      clvBars: document.querySelectorAll('#clv svg rect').length,
      dots: document.querySelectorAll('#alive svg circle').length,
      segments: document.querySelector('#segments').textContent,
      model: document.querySelector('#model').textContent,
      risk: [...document.querySelectorAll('#risk tbody tr')].map((tr) => tr.cells.length),
    }));
    assert.equal(drawn.grid, 25);
    assert.equal(drawn.gridTotal, 80);  // every seeded customer bought
    assert.equal(drawn.clvBars, 20);
    assert.equal(drawn.dots, 80 + 3);  // one per customer, plus the legend's three
    assert.match(drawn.segments, /champions/);
    assert.match(drawn.model, /BG\/NBD \+ Gamma-Gamma/);
    assert.ok(drawn.risk.length >= 1);
    const stats = await api.api('/v1/profiles?tier=high&max_p_alive=0.5&limit=20');
    if (stats.body.profiles.length) assert.equal(drawn.risk.length, stats.body.profiles.length);
    assert.deepEqual(seen.errors, []);  // a CSP violation or a script error would show here
  } finally {
    await b.close();
    await api.stop();
  }
});
