// Decisions in the page: purchases recorded from buttons and the JS API, then a reorder greeting,
// recommendations and the loyalty offer rendered into data-ashna slots from <template>s, as text.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, launch, watch } = require('./harness');

const DAY = 24 * 3600 * 1000;
let server, browser;
test.before(async () => { server = await startServer(); browser = await launch(); });
test.after(async () => { await browser?.close(); await server?.stop(); });

const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });

async function visitAt(page, url, time) {
  await page.clock.setFixedTime(time);
  await page.goto(url);
  await rendered(page);
}

test('buying every two weeks: reorder greeting, buy-again first, offer shown, all as text', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  const t0 = Date.now() - 60 * DAY;
  await visitAt(page, server.base + '/products/house-espresso.html', t0);
  await page.click('[data-ashna-consent="accept-all"]');
  // House blend every 14 days (the "Buy now" button), Sencha twice, 40 days apart (not due): two
  // repeat items for the offer.
  for (const [i, url] of [[0, 'house-espresso'], [1, 'japanese-sencha'], [14, 'house-espresso'], [28, 'house-espresso'],
    [41, 'japanese-sencha'], [42, 'house-espresso']]) {
    await visitAt(page, `${server.base}/products/${url}.html`, t0 + i * DAY);
    await page.click('[data-ashna-track="purchase"]');
  }
  // 13 days after the last order: the house blend is due again.
  await visitAt(page, server.base + '/', t0 + 55 * DAY);
  const greeting = page.locator('[data-ashna="greeting"]');
  assert.equal(await greeting.textContent(), 'Running low on House Espresso Blend? Time to reorder.');
  assert.equal(await greeting.getAttribute('data-ashna-kind'), 'reorder');

  const cards = page.locator('[data-ashna-recs] [data-ashna-rendered]');
  assert.equal(await cards.count(), 4);
  assert.equal(await cards.first().getAttribute('data-ashna-item'), 'house-espresso');
  assert.match(await cards.first().locator('[data-ashna-field="reason"]').textContent(), /^You reorder this about every 2 weeks, last on /);
  assert.equal(await cards.first().locator('a').getAttribute('href'), '/products/house-espresso.html');
  assert.equal(await page.locator('[data-ashna-recs] [data-ashna-items] > li:not([data-ashna-rendered])').count(), 0,
    'the fallback cards are replaced by personalised ones');

  const offer = page.locator('[data-ashna-offer]');
  assert.equal(await offer.isVisible(), true);
  const offerItems = await offer.locator('[data-ashna-rendered]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ashna-item')));
  assert.equal(offerItems.length, 3);
  assert.deepEqual(offerItems.slice(0, 2).sort(), ['house-espresso', 'japanese-sencha']);

  // The orders reached the server with their lines.
  await page.evaluate(() => window.ashna.sync());
  const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
  const api = await server.api('/v1/profiles/' + id);
  const orders = api.body.events.filter((e) => e.type === 'purchase');
  assert.equal(orders.length, 6);
  assert.deepEqual(orders[0].lines, [{ id: 'house-espresso', title: 'House Espresso Blend', category: 'coffee/blend', price: 12.5, qty: 1 }]);

  // "Not for me" on a card: a not_interested event for that item; the slot re-renders without it,
  // and the event reaches the server (where experiment reports count it as a negative signal).
  const dismissed = await cards.nth(1).getAttribute('data-ashna-item');
  await cards.nth(1).locator('[data-ashna-track="not_interested"]').click();
  await page.waitForFunction((id) => !document.querySelector(`[data-ashna-recs] [data-ashna-item="${id}"]`), dismissed);
  assert.equal(await cards.count(), 4, 'another item takes its place');
  await page.evaluate(() => window.ashna.sync());
  const after = await server.api('/v1/profiles/' + id);
  const no = after.body.events.filter((e) => e.type === 'not_interested');
  assert.deepEqual(no.map((e) => e.item.id), [dismissed]);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('a hostile title in an order is rendered as text in the recommendation card', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const t0 = Date.now() - 40 * DAY;
    await visitAt(page, server.base + '/', t0);
    await page.evaluate(() => window.ashna.consent.set('all'));
    const evil = '<img src=x onerror="window.__pwned=1">';
    for (const d of [0, 14]) {
      await visitAt(page, server.base + '/', t0 + d * DAY);
      await page.evaluate((title) => window.ashna.purchase({ lines: [{ id: 'evil', title, category: 'x', price: 1, qty: 1 }] }), evil);
    }
    await visitAt(page, server.base + '/', t0 + 27 * DAY);
    const card = page.locator('[data-ashna-recs] [data-ashna-item="evil"]');
    assert.equal(await card.locator('[data-ashna-field="title"]').textContent(), evil);
    assert.equal(await page.locator('[data-ashna-recs] img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    const bad = await page.evaluate(() => window.ashna.purchase({ lines: [] }).then(() => 'ok', (e) => e.message));
    assert.equal(bad, 'ashna.purchase(order): order.lines must be a non-empty array of {id, qty, price}');
  } finally {
    await ctx.close();
  }
});

test('window.ashna has exactly the methods ashna.d.ts declares, before and after load', async () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const dts = fs.readFileSync(path.join(__dirname, '..', '..', 'wasm', 'ashna.d.ts'), 'utf8');
  const body = dts.slice(dts.indexOf('export interface Ashna {'), dts.indexOf('declare global'));
  const declared = [];
  let group = '';
  for (const line of body.split('\n')) {
    let m = /^ {2}(\w+): \{$/.exec(line);
    if (m) { group = m[1] + '.'; continue; }
    if (/^ {2}\};$/.test(line)) { group = ''; continue; }
    m = /^ {2,4}(\w+)(<[^>]*>)?\(/.exec(line);
    if (m) declared.push(group + m[1]);
  }
  const page = await browser.context.newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/ashna.js', async (route) => { await held; await route.continue(); });
  await page.goto(server.base + '/', { waitUntil: 'domcontentloaded' });
  const surface = () => page.evaluate(() => {
    const out = [];
    for (const [k, v] of Object.entries(window.ashna)) {
      if (typeof v === 'function') out.push(k);
      else if (v && typeof v === 'object' && !Array.isArray(v))
        for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'function') out.push(k + '.' + k2);
    }
    return out.sort();
  });
  assert.deepEqual(await surface(), [...declared].sort(), 'the snippet stub');
  release();
  await page.waitForFunction(() => window.ashna && !window.ashna.snippet);
  assert.deepEqual(await surface(), [...declared].sort(), 'the loaded SDK');
  await page.close();
});

test('auto-capture: schema.org Product JSON-LD, and route changes in a single-page app', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-spa-'));
  fs.writeFileSync(path.join(dir, 'spa.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPA</title>
<script type="application/ld+json">{ not json</script>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Organization","name":"X"},
{"@type":"Product","sku":"ld-1","name":"JSON-LD Roast","category":"coffee/ld","offers":{"@type":"Offer","price":"11.50"}}]}</script>
<script src="/ashna-snippet.js"></script><script src="/spa.js"></script>
<script async src="/ashna.js" data-site="pk_demo" data-endpoint="/"></script></head>
<body><p data-ashna="greeting">Hi.</p></body></html>`);
  fs.writeFileSync(path.join(dir, 'spa.js'), `window.go = function (p) { history.pushState({}, '', p); };`);
  const s = await startServer([dir]);
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.goto(s.base + '/spa.html');
    await page.waitForSelector('[data-ashna-kind]');
    await page.evaluate(() => window.ashna.consent.set('all'));
    await page.evaluate(() => window.go('/spa/step-2'));
    await page.evaluate(() => window.go('/spa/step-2'));  // the same path again: not a new view
    await page.evaluate(() => window.go('/spa/step-3'));
    await page.waitForFunction(async () => (await window.ashna.profile.get()).events.filter((e) => e.type === 'page_view').length === 3);
    const events = (await page.evaluate(() => window.ashna.profile.get())).events;
    assert.deepEqual(events.filter((e) => e.type === 'page_view').map((e) => e.path), ['/spa.html', '/spa/step-2', '/spa/step-3']);
    const views = events.filter((e) => e.type === 'product_view');
    assert.ok(views.length >= 1);
    assert.deepEqual(views[0].item, { id: 'ld-1', title: 'JSON-LD Roast', category: 'coffee/ld', price: 11.5 });
  } finally {
    await ctx.close();
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
