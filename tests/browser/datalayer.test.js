// Purchases from the shop's GA4 data layer: one pushed before ashna.js loads and one after (and
// one through gtag.js) reach the profile on the server once each, however often they are pushed
// or the thank-you page is reloaded; a malformed entry gives one warning and nothing is thrown.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { servePages, watch } = require('./harness');

let server, browser;
const tag = (extra = '') => `<script src="/ashna-snippet.js"></script>
<script async src="/ashna.js" data-site="pk_demo" data-endpoint="/" data-catalog="/catalog.json"${extra}></script>`;
const page = (body, head) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thanks</title>
<link rel="icon" href="/favicon.svg">${head}</head><body>${body}</body></html>`;
servePages('datalayer', {
  // The thank-you page: the shop's own code pushes the order before the tag is in the page, plus
  // a push the SDK cannot use (no transaction_id), as GTM setups do.
  'thanks.html': page('<p data-ashna="greeting">Thank you!</p>', '<script src="/thanks.js"></script>' + tag()),
  'thanks.js': `window.dataLayer = window.dataLayer || [];
dataLayer.push({ ecommerce: null });
dataLayer.push({ event: 'page_ready' });
dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-1001', value: 37.5, currency: 'EUR', items: [
  { item_id: 'house-espresso', item_name: 'House Espresso Blend', item_category: 'coffee', item_category2: 'blend', price: 12.5, quantity: 2 },
  { item_id: 'japanese-sencha', item_name: 'Japanese Sencha', item_category: 'tea', price: '12.50', quantity: 1 }] } });
dataLayer.push({ event: 'purchase', ecommerce: { value: 9.9, items: [{ item_id: 'persian-saffron-tea', price: 9.9 }] } });
window.gtag = function () { dataLayer.push(arguments); };
`,
  'off.html': page('<p data-ashna="greeting">Hi.</p>', tag(' data-datalayer="off"')),
}, (s, b) => { server = s; browser = b; });

const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });
const orders = async (id) => (await server.api('/v1/profiles/' + id)).body.events.filter((e) => e.type === 'purchase');

test('GA4 purchases pushed before and after load reach the profile once; a malformed one warns once', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.goto(server.base + '/');
  await rendered(page);
  await page.evaluate(() => window.ashna.consent.set('all'));

  await page.goto(server.base + '/thanks.html');
  await rendered(page);
  // After load: a new order, the same order again (GTM and gtag both fire), an order through gtag.js.
  const pushed = await page.evaluate(() => {
    const n = window.dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-1002', currency: 'EUR',
      items: [{ item_id: 'morning-decaf', item_name: 'Morning Decaf (Swiss Water)', price: 13.5 }] } });
    window.dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-1001', currency: 'EUR', items: [{ item_id: 'house-espresso', price: 12.5, quantity: 2 }] } });
    window.gtag('event', 'purchase', { transaction_id: 1003, currency: 'EUR', items: [{ item_name: 'Colombia Huila', price: 13, quantity: 1 }] });
    return [n, window.dataLayer.length];
  });
  assert.deepEqual(pushed, [5, 7], 'push still returns the new length and keeps the entries');
  // The thank-you page reloaded: its push comes again.
  await page.reload();
  await rendered(page);
  await page.evaluate(() => window.ashna.sync());
  const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
  const got = await orders(id);
  assert.deepEqual(got.map((e) => e.props.order).sort(), ['1003', 'T-1001', 'T-1002']);
  const first = got.find((e) => e.props.order === 'T-1001');
  assert.equal(first.id, 'order:T-1001');
  assert.deepEqual(first.lines, [
    { id: 'house-espresso', title: 'House Espresso Blend', category: 'coffee/blend', price: 12.5, qty: 2 },
    { id: 'japanese-sencha', title: 'Japanese Sencha', category: 'tea', price: 12.5, qty: 1 }]);
  assert.deepEqual(got.find((e) => e.props.order === '1003').lines, [{ id: 'Colombia Huila', title: 'Colombia Huila', price: 13, qty: 1 }]);

  const warned = seen.warnings.filter((w) => w.startsWith('[ashna] dataLayer'));
  assert.deepEqual(warned, Array(2).fill('[ashna] dataLayer: purchase skipped: it needs ecommerce.transaction_id and ' +
    'items [{item_id or item_name, price >= 0, quantity >= 1}]'), 'one warning per load of the page with the malformed entry');
  assert.deepEqual(seen.errors, []);

  // Bad entries pushed after load do not throw into the shop's code.
  const thrown = await page.evaluate(() => {
    try {
      window.dataLayer.push(null, 42, 'x', { event: 'purchase' }, { event: 'purchase', ecommerce: { transaction_id: 'T-9', items: [null] } });
      window.gtag('event', 'purchase');
      return 'nothing thrown';
    } catch (e) { return String(e); }
  });
  assert.equal(thrown, 'nothing thrown');
  assert.equal(seen.warnings.filter((w) => w.startsWith('[ashna] dataLayer')).length, 5);
  await page.close();
});

test('data-datalayer="off": the data layer is not read', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.base + '/off.html');
  await rendered(page);
  await page.evaluate(() => window.ashna.consent.set('all'));
  await page.evaluate(() => { window.dataLayer = window.dataLayer || []; window.dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-off', items: [{ item_id: 'x', price: 1 }] } }); });
  const p = await page.evaluate(() => window.ashna.profile.get());
  assert.deepEqual(p.events.filter((e) => e.type === 'purchase' && e.props.order === 'T-off'), []);
  assert.ok(p.events.some((e) => e.type === 'page_view' && e.path === '/off.html'), 'the rest of the SDK runs');
  await page.close();
});
