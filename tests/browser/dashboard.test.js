// The customer-value dashboard served by ashna-server, in Chromium: after a site's model is fitted
// (`ashna-server fit-value --site`), the page draws the RFM grid, CLV histogram, p_alive scatter
// and the at-risk table from the backend API, and each experiment's report (a table and the lift
// with its 95% interval), under its strict CSP, without a console error.
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

// An experiment on the greeting slot with 400 exposed customers: variation 1 converts three times
// as often as the control.
async function seedExperiment(api) {
  const put = await fetch(api.base + '/v1/experiments/hero-greeting', { method: 'PUT',
    headers: { Authorization: 'Bearer sk_demo', 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: 'hero-greeting', slot: 'greeting', variations: [{}, { templates: { welcome: 'Hi!' } }], hashVersion: 2 }) });
  assert.equal(put.status, 200, await put.text());
  const now = Date.now(), events = [];
  for (let i = 0; i < 400; i++) {
    const v = i % 2, customer = 'exp-' + i;
    events.push({ customer, event: { id: 'x' + i, type: 'exposure', ts: now - 5 * DAY, props: { experiment: 'hero-greeting', variation: v } } });
    if ((i >> 1) % 10 < (v ? 3 : 1))
      events.push({ customer, event: { id: 'b' + i, type: 'purchase', ts: now - 4 * DAY, channel: 'web', lines: [{ id: 'sku-1', price: 30 }] } });
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
      experiments: document.querySelector('#experiments').textContent,
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
    assert.equal(drawn.experiments, 'No experiments defined (PUT /v1/experiments/{key}).');
    assert.deepEqual(seen.errors, []);  // a CSP violation or a script error would show here
  } finally {
    await b.close();
    await api.stop();
  }
});

test('the dashboard shows each experiment: variations, and the lift over the control with its 95% interval', async () => {
  const api = await startServer();
  const b = await launch();
  try {
    await seedExperiment(api);
    const page = await b.context.newPage();
    const seen = watch(page);
    await page.goto(api.base + '/dashboard/');
    await page.fill('#secret', 'sk_demo');
    await page.click('button[type=submit]');
    await page.waitForSelector('#experiments article');
    const drawn = await page.evaluate(() => ({
      title: document.querySelector('#experiments h3').textContent,
      note: document.querySelector('#experiments p.hint').textContent,
      variations: [...document.querySelectorAll('#experiments tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent)),
      intervals: document.querySelectorAll('#experiments svg line.ci').length,
      color: document.querySelector('#experiments svg line.ci').getAttribute('stroke'),
    }));
    // 400 visitors alternately shown the control and variation 1, converting at 10% and 30%.
    assert.equal(drawn.title, 'hero-greeting — slot greeting');
    assert.equal(drawn.note, '400 visitors.');
    assert.deepEqual(drawn.variations.map((r) => r.slice(0, 5)), [['0', '0.5', '200', '20', '10%'], ['1', '0.5', '200', '60', '30%']]);
    assert.equal(drawn.variations[0][7], 'control');
    assert.match(drawn.variations[1][7], /^\+200% \(\+\d+(\.\d)?% to \+\d+(\.\d)?%\)$/);
    assert.equal(drawn.intervals, 1);
    assert.equal(drawn.color, '#0b6e4f');  // green: the whole interval is a gain
    if (process.env.ASHNA_SCREENSHOTS)  // docs/screenshots/dashboard-experiments.png
      await page.locator('section[aria-labelledby=h-experiments]').screenshot({ path: require('node:path').join(__dirname, '..', '..', 'docs', 'screenshots', 'dashboard-experiments.png') });
    const report = await api.api('/v1/experiments/hero-greeting/report');
    const ci = report.body.comparisons[0].conversion.relative.ci;
    assert.ok(ci[0] > 0 && ci[1] > 2, JSON.stringify(ci));
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await api.stop();
  }
});
