// The data-ashna-reminder slot: a replenishment reminder (the core's reorder sentence, in the
// customer's language) when a bought item is due by its purchase cadence; the shop's fallback
// while consent or data is missing; re-rendered when the profile changes, as text.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { servePages, launch, watch } = require('./harness');

const DAY = 24 * 3600 * 1000;
const FALLBACK = 'Free delivery on orders over €40.';
let server, browser;
servePages('reminder', {
  'account.html': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Account</title>
<link rel="icon" href="/favicon.svg"><script src="/ashna-snippet.js"></script>
<script async src="/ashna.js" data-site="pk_demo" data-endpoint="/" data-catalog="/catalog.json"></script></head>
<body><p class="reminder" data-ashna-reminder>${FALLBACK.replace('€', '&euro;')} <a href="/">Shop now</a></p></body></html>`,
}, (s, b) => { server = s; browser = b; });

async function visitAt(page, url, time) {
  await page.clock.setFixedTime(time);
  await page.goto(url);
  await page.evaluate(() => window.ashna.greeting());  // resolves once the core has rendered
}
const slot = (page) => page.locator('[data-ashna-reminder]');
async function fallbackShown(page) {
  assert.equal(await slot(page).textContent(), FALLBACK + ' Shop now');
  assert.equal(await slot(page).locator('a').count(), 1, 'the fallback markup itself is back');
  assert.equal(await slot(page).getAttribute('data-ashna-item'), null);
  assert.equal(await slot(page).getAttribute('title'), null);
}

test('due by cadence: reminder with its reason; fallback without consent or once bought again', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  const t0 = Date.now() - 60 * DAY;
  const account = server.base + '/account.html';
  await visitAt(page, account, t0);
  await fallbackShown(page);  // a first visit: nothing known
  await page.evaluate(() => window.ashna.consent.set('all'));
  // The house blend every 14 days.
  for (const d of [0, 14, 28]) {
    await visitAt(page, account, t0 + d * DAY);
    await page.evaluate(() => window.ashna.purchase({ lines: [{ id: 'house-espresso', price: 12.5, qty: 1 }] }));
  }
  await visitAt(page, account, t0 + 28 * DAY + DAY);
  await fallbackShown(page);  // just bought: not due

  // 13 days after the last order: due.
  await visitAt(page, account, t0 + 41 * DAY);
  const el = slot(page);
  assert.equal(await el.textContent(), 'Running low on House Espresso Blend? Time to reorder.');
  assert.equal(await el.getAttribute('data-ashna-item'), 'house-espresso');
  assert.match(await el.getAttribute('data-ashna-reason'), /^You reorder it about every 2 weeks, last on \d+ \w+\.$/);
  assert.equal(await el.getAttribute('title'), await el.getAttribute('data-ashna-reason'), 'the reason is the tooltip');
  assert.equal(await el.getAttribute('data-ashna-status'), 'due_soon');
  assert.equal(await el.getAttribute('data-ashna-due'), new Date(t0 + 42 * DAY).toISOString().slice(0, 10));
  assert.equal(await el.getAttribute('lang'), 'en');

  // The demo's profile page has a hidden reminder slot: shown once there is something to say.
  await page.goto(server.base + '/profile.html');
  await page.waitForSelector('.reminder[data-ashna-reminder]:not([hidden])', { timeout: 15000 });
  assert.equal(await page.locator('.reminder').textContent(), 'Running low on House Espresso Blend? Time to reorder.');
  await page.goto(account);
  await page.evaluate(() => window.ashna.greeting());

  // The profile changes, the slot follows without a reload: Persian...
  await page.evaluate(() => window.ashna.profile.update({ locale: 'fa' }));
  assert.match(await el.textContent(), /^House Espresso Blend رو به اتمام است؟/);
  assert.deepEqual([await el.getAttribute('lang'), await el.getAttribute('dir')], ['fa', 'rtl']);
  // ...personalisation paused: the fallback...
  await page.evaluate(() => window.ashna.consent.set({ personalisation: false, analytics: true, marketing: false }));
  await fallbackShown(page);
  await page.evaluate(() => window.ashna.consent.set('all'));
  assert.match(await el.textContent(), /رو به اتمام است؟/);
  // ...bought again: nothing due, the fallback.
  await page.evaluate(() => window.ashna.purchase({ lines: [{ id: 'house-espresso', price: 12.5, qty: 1 }] }));
  await fallbackShown(page);
  assert.equal(await el.getAttribute('lang'), null);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('hostile titles in the reminder are text', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const t0 = Date.now() - 40 * DAY;
    await visitAt(page, server.base + '/account.html', t0);
    await page.evaluate(() => window.ashna.consent.set('all'));
    const evil = '<img src=x onerror="window.__pwned=1">';
    for (const d of [0, 10]) {
      await visitAt(page, server.base + '/account.html', t0 + d * DAY);
      await page.evaluate((title) => window.ashna.purchase({ lines: [{ id: 'evil', title, category: 'x', price: 1, qty: 1 }] }), evil);
    }
    await visitAt(page, server.base + '/account.html', t0 + 19 * DAY);
    assert.equal(await slot(page).textContent(), `Running low on ${evil}? Time to reorder.`);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  } finally {
    await ctx.close();
  }
});
