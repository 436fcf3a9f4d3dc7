// The JS wrapper over the C ABI: state round trip through storage, deltas, acks, hostile input.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore } = require('./core');

const T = 1790000000000;
const ALL = { decided: true, personalisation: true, analytics: true, marketing: true };
const view = (id, ts = T) => ({ id, type: 'product_view', ts, item: { id: 'eth', title: 'Ethiopian Yirgacheffe', price: 14.5 } });

test('state written to storage restores the same profile, pending delta and seq', async () => {
  const { core, AshnaEngine } = await loadCore();
  const a = new AshnaEngine(core, 'p1', 'r1');
  a.consent(ALL);
  assert.equal(a.event(view('v1')).seq, 1);
  assert.equal(a.trait('name', { value: 'Ana', ts: T }).seq, 2);
  assert.equal(a.event(view('v2', T + 1)).seq, 3);
  a.ack(2);
  const stored = JSON.parse(JSON.stringify(a.state()));  // what localStorage would hold

  const b = new AshnaEngine(core, 'p1', 'r1');
  b.consent(ALL);
  assert.equal(b.restore(stored), 0);
  assert.deepEqual(b.profile(), a.profile());
  assert.equal(b.deltaText(), a.deltaText());
  assert.deepEqual(b.delta().events.map((e) => e.id), ['v2']);
  assert.equal(b.event(view('v3', T + 2)).seq, 4);
  a.free(); b.free();
});

test('nothing is offered for storage or sync before consent', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  assert.equal(e.event(view('v1')).ok, true);
  assert.equal(e.state(), null);
  assert.equal(e.delta().upto, 0);
  e.consent({ decided: true, personalisation: false, analytics: false, marketing: false });
  assert.equal(e.profile().events.length, 0);
  assert.equal(e.state(), null);
  e.free();
});

test('hostile and malformed arguments come back as errors, never an abort', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  assert.equal(e.event({ id: 'x', type: 'page_view', ts: 'soon' }).error.code, 'invalid_event');
  assert.equal(e.event({ id: 'x', type: 'page_view', ts: Infinity }).error.code, 'invalid_event');
  assert.equal(e.event({ id: 'x', type: '<script>', ts: T }).error.message, "event.type: unknown event type '<script>'");
  assert.equal(e.event({ id: 'x', type: 'product_view', ts: T, item: { id: 'i', title: 'a'.repeat(100000) } }).error.code, 'invalid_event');
  assert.equal(e.trait('isAdmin', { value: 'true', ts: T }).error.code, 'invalid_trait');
  // Lone surrogates and control characters still produce valid JSON out.
  assert.equal(e.trait('name', { value: 'A\ud800\u0000\u2028<img src=x onerror=alert(1)>', ts: T }).ok, true);
  const text = e.deltaText();
  assert.doesNotThrow(() => JSON.parse(text));
  assert.ok(!text.includes('<img'), 'markup is escaped inside JSON');
  assert.match(JSON.parse(text).traits.name.value, /<img src=x onerror=alert\(1\)>$/);
  e.free();
});

test('an order keeps its lines and currency through the wasm boundary', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  const r = e.event({ id: 'o1', type: 'purchase', ts: T, currency: 'EUR',
    lines: [{ id: 'a', qty: 2, price: 3.5, title: 'A' }, { id: 'b', price: 1 }] });
  assert.equal(r.ok, true);
  const sent = e.delta().events[0];
  assert.equal(sent.currency, 'EUR');
  assert.deepEqual(sent.lines, [{ id: 'a', title: 'A', price: 3.5, qty: 2 }, { id: 'b', price: 1, qty: 1 }]);
  assert.equal(e.event({ id: 'o2', type: 'purchase', ts: T, currency: 'EURO', lines: [{ id: 'a' }] }).error.message,
    'event.currency: longer than 3 bytes');
  e.free();
});

const DAY = 86400000;
const purchase = (id, ts, price = 20) => ({ id, type: 'purchase', ts, lines: [{ id: 'eth', title: 'Ethiopian Yirgacheffe', category: 'coffee', price }] });
const MODEL = { fitted_at: T, customers: 500, rfm: { recency_days: [120, 60, 30, 14], frequency: [2, 3, 6, 10], monetary: [40, 100, 250, 500] },
  value: { bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, spend: { p: 6.25, q: 3.74, gamma: 15.44 }, tier_median: 5, tier_p80: 20, clv_months: 12, monthly_discount: 0.01 } };

test('the site model reaches the core: views carry the customer value, greeting follows it', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  // Untitled lines: no reorder reminder can name the item, so the greeting is about the customer.
  for (let k = 0; k < 12; k++) e.event({ id: 'o' + k, type: 'purchase', ts: T - (42 + 7 * k) * DAY, lines: [{ id: 'sku', price: 40 }] });
  e.event({ id: 'v-old', type: 'page_view', ts: T - 41 * DAY });
  assert.equal(e.views(T).value.scored, false);
  assert.equal(e.model({ rfm: { recency_days: [1, 2] } }), false);  // malformed: ignored
  assert.equal(e.model(MODEL), true);
  const v = e.views(T).value;
  assert.equal(v.scored, true);
  assert.ok(v.p_alive < 0.5, String(v.p_alive));
  assert.notEqual(v.tier, 'low');
  assert.equal('clv' in v, false);  // lifetime figures are the server's
  assert.equal(e.greeting({ now: T, hour: 10, locale: 'en' }).kind, 'win_back');
  e.free();
});

test('a bounded history keeps its summary across storage', async () => {
  const { core, AshnaEngine } = await loadCore();
  const a = new AshnaEngine(core, 'p1', 'r1', 30);
  a.consent(ALL);
  for (let day = 0; day < 300; day += 3) {
    a.event(view('v' + day, T - (300 - day) * DAY));
    if (day % 9 === 0) a.event(purchase('o' + day, T - (300 - day) * DAY + 1000));
    a.ack(a.delta().upto);
  }
  const stored = JSON.parse(JSON.stringify(a.state()));
  assert.ok(stored.summary && stored.summary.purchases.length > 0, 'the state holds a summary');
  const b = new AshnaEngine(core, 'p1', 'r1', 30);
  b.consent(ALL);
  assert.equal(b.restore(stored), 0);
  assert.deepEqual(b.views(T).rfm, a.views(T).rfm);
  assert.equal(b.views(T).rfm.orders, 34);
  assert.deepEqual(b.state().summary, stored.summary);
  a.free(); b.free();
});

test('withdrawing personalisation now deletes the name and interests; restoring a choice does not', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  e.trait('name', { value: 'Ana', ts: T });
  e.trait('interest:tea', { value: '+', ts: T });
  e.consent({ decided: true, personalisation: false, analytics: true, marketing: true });  // restored: nothing goes
  assert.equal(e.profile().traits.name.value, 'Ana');
  e.consent(ALL);
  const r = e.consent({ decided: true, personalisation: false, analytics: true, marketing: true }, T + 5);
  assert.equal(r.deleted, 2);
  assert.equal(e.profile().traits.name.value, '');
  assert.equal(e.profile().traits['interest:tea'].value, '');
  assert.equal(e.delta().traits.name.ts, T + 5);
  e.free();
});

test('the site model\'s population brings "often bought with" and popularity to the browser', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  for (const [id, title, category] of [['beans', 'House Beans', 'coffee'], ['filter', 'Paper Filters', 'brewing'],
    ['mug', 'Stoneware Mug', 'kitchen'], ['spoon', 'Measuring Spoon', 'kitchen'], ['kettle', 'Gooseneck Kettle', 'brewing']])
    assert.equal(e.catalogItem({ id, title, category, price: 10 }).ok, true);
  assert.equal(e.event({ id: 'o1', type: 'purchase', ts: T - 86400000, lines: [{ id: 'beans', title: 'House Beans', category: 'coffee', price: 9, qty: 1 }] }).ok, true);
  const before = e.recommend({ now: T, k: 3 });
  assert.ok(!before.some((r) => r.strategy === 'cooccurrence'), 'no population model yet');
  assert.equal(e.model({ ...MODEL, population: { baskets: 80, popular: ['beans', 'kettle', 'spoon', 'bad\tid'],
    related: { beans: [['filter', 0.65], ['spoon', 2], ['nope\n', 0.5]], mug: [['spoon', 1]] } } }), true);
  const recs = e.recommend({ now: T, k: 3 });
  assert.deepEqual(recs[0], { ...recs[0], item: 'filter', strategy: 'cooccurrence', reason: 'Often bought with House Beans.' });
  // Popularity now follows the site's orders (kettle before spoon), not the catalogue's order.
  const popular = recs.filter((r) => r.strategy === 'popular').map((r) => r.item);
  assert.deepEqual(popular, ['kettle', 'spoon'].slice(0, popular.length));
  assert.ok(popular.length >= 1);
  const fa = e.recommend({ now: T, k: 1, locale: 'fa' });
  assert.equal(fa[0].item, 'filter');
  assert.match(fa[0].reason, /House Beans/);
  e.free();
});
