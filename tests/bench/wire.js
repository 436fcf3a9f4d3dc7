// Bytes on the wire for a typical sync: one shopping visit (20 events) and 3 trait edits, sent
// as the loader sends them in protocol version 2 (MessagePack, the delta encoded by the wasm
// core) and version 1 (JSON), against (a) the same events as a Segment analytics.js batch of
// `track`/`identify` calls and (b) the whole profile as JSON. Answers are measured on the real
// ashna-server. Prints Markdown (tests/bench/run; numbers go to docs/benchmarks.md).
'use strict';
const zlib = require('node:zlib');
const { loadCore } = require('../wasm/core');
const { startServer } = require('../browser/harness');

const T0 = 1790000000000;
const SITE = 'pk_demo', TOKEN = 't_mB7Qk2x9Lr4VnZc8Wd1Hs6Fp3Ty5Ge0J';
const PROFILE = 'a_q8Zr2LmX5vKc9WnT4bHd1A', REPLICA = 'r_Jk3mP9sQ2xVa', ID_PREFIX = 'Hs4kL7pW0cYe.';
const ORIGIN = 'https://shop.example';
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

const PRODUCTS = [
  ['ethiopian-yirgacheffe', 'Ethiopian Yirgacheffe', 'coffee/single-origin', 14.5],
  ['kenya-aa', 'Kenya AA', 'coffee/single-origin', 15.9],
  ['colombia-huila', 'Colombia Huila', 'coffee/single-origin', 12.9],
  ['house-espresso', 'House Espresso Blend', 'coffee/blends', 11.5],
  ['hario-v60', 'Hario V60 Dripper', 'equipment/brewers', 24],
  ['paper-filters', 'V60 Paper Filters (100)', 'equipment/filters', 6.5],
].map(([id, title, category, price]) => ({ id, title, category, price }));

// The visit, as the loader records it: 20 events (page and product views, a search, the cart, an
// order of 2 lines), seconds apart; event ids are the loader's per-page prefix and a counter.
function visit() {
  const events = [];
  let ts = T0, n = 0;
  const add = (type, path, extra, gap) => events.push({ id: ID_PREFIX + ++n, type, ts: ts += gap, channel: 'web', path, ...extra });
  add('page_view', '/', { props: { title: 'Ashna Coffee Roasters' } }, 0);
  add('page_view', '/category/coffee', { props: { title: 'Coffee' } }, 8200);
  add('search', '/search', { props: { query: 'ethiopia' } }, 14100);
  PRODUCTS.forEach((p, i) => {
    const path = '/products/' + p.id + '.html';
    add('page_view', path, { props: { title: p.title } }, 9000 + i * 1300);
    add('product_view', path, { item: p }, 120);
    if (i === 0 || i === 4 || i === 5) add('add_to_cart', path, { lines: [{ ...p, qty: 1 }] }, 21000);
  });
  add('remove_from_cart', '/cart', { lines: [{ ...PRODUCTS[5], qty: 1 }] }, 30000);
  add('purchase', '/checkout/done', { lines: [{ ...PRODUCTS[0], qty: 2 }, { ...PRODUCTS[4], qty: 1 }], currency: 'EUR',
    props: { order: 'o-104217' } }, 95000);
  const traits = [['name', 'Ana'], ['locale', 'fa-IR'], ['interest:tea', '-']].map(([k, v], i) => [k, v, ts + 5000 + i * 900]);
  if (events.length !== 20) throw new Error('the visit must have 20 events');
  return { events, traits };
}

// (a) analytics.js: one POST /v1/batch with a track call per event (page views as `page` calls,
// as analytics.js sends them) and an identify call per trait edit, each with its full context.
function segmentBatch(events, traits) {
  const iso = (ms) => new Date(ms).toISOString();
  let seq = 0;
  const messageId = () => 'ajs-next-' + (0x1f3a9c2b5d7e + ++seq).toString(16).padStart(32, '4e0b7c1d');
  const context = (e) => ({
    library: { name: 'analytics.js', version: 'npm:next-1.76.0' },
    page: { path: e.path, referrer: '', search: '', title: e.props?.title || 'Ashna Coffee Roasters', url: ORIGIN + e.path },
    userAgent: UA, locale: 'en-US',
  });
  const product = (p) => ({ product_id: p.id, sku: p.id, name: p.title, category: p.category, price: p.price,
    quantity: p.qty ?? 1, currency: 'EUR', url: ORIGIN + '/products/' + p.id + '.html' });
  const NAMES = { product_view: 'Product Viewed', add_to_cart: 'Product Added', remove_from_cart: 'Product Removed',
    purchase: 'Order Completed', search: 'Products Searched' };
  const calls = events.map((e) => {
    const common = { anonymousId: '9d3f6c2e-58a1-4b7e-a0c4-2f61d8b9e7a3', messageId: messageId(), timestamp: iso(e.ts),
      context: context(e), integrations: {} };
    if (e.type === 'page_view') return { type: 'page', name: e.props.title, properties: context(e).page, ...common };
    let properties;
    if (e.type === 'product_view') properties = product(e.item);
    else if (e.type === 'search') properties = { query: e.props.query };
    else if (e.type === 'purchase') {
      const total = e.lines.reduce((s, l) => s + l.price * l.qty, 0);
      properties = { order_id: e.props.order, total, revenue: total, currency: 'EUR', products: e.lines.map(product) };
    } else properties = product(e.lines[0]);
    return { type: 'track', event: NAMES[e.type], properties, ...common };
  });
  traits.forEach(([k, v, ts]) => calls.push({ type: 'identify', traits: { [k]: v }, anonymousId: '9d3f6c2e-58a1-4b7e-a0c4-2f61d8b9e7a3',
    messageId: messageId(), timestamp: iso(ts), context: context({ path: '/account' }), integrations: {} }));
  return JSON.stringify({ batch: calls, sentAt: iso(T0 + 400000), writeKey: 'wk_3Jd8sP0qLx2mZ7vB' });
}

(async () => {
  const { core, AshnaEngine } = await loadCore();
  const ALL = { decided: true, personalisation: true, analytics: true, marketing: true };
  const { events, traits } = visit();
  // One engine per case: `e` events and the first `t` trait edits pending.
  function engine(e, t) {
    const en = new AshnaEngine(core, PROFILE, REPLICA);
    en.consent(ALL);
    events.slice(0, e).forEach((ev) => { if (en.event(ev, false).error) throw new Error('bad event ' + ev.id); });
    traits.slice(0, t).forEach(([k, v, ts]) => { if (en.trait(k, { value: v, ts }, false).error) throw new Error('bad trait'); });
    return en;
  }
  // Request bodies exactly as wasm/loader.js builds them (since 0, no consent records pending).
  const v2 = (en) => AshnaEngine.pack({ v: 2, k: SITE, t: TOKEN, s: 0, d: en.deltaBytes(100) });
  const v1 = (en) => Buffer.from('{"v":1,"key":' + JSON.stringify(SITE) + ',"token":' + JSON.stringify(TOKEN) +
    ',"since":0,"delta":' + en.deltaText(100) + '}');
  const profile = (en) => Buffer.from(JSON.stringify(en.profile()));
  const segment = (e, t) => Buffer.from(segmentBatch(events.slice(0, e), traits.slice(0, t)));

  const kinds = [
    ['Ashna v2: MessagePack (`application/msgpack`, default)', (e, t) => v2(engine(e, t))],
    ['Ashna v1: JSON (`data-wire="json"`)', (e, t) => v1(engine(e, t))],
    ['(a) Segment analytics.js batch (`track`/`page`/`identify`)', segment],
    ['(b) the whole profile as JSON', (e, t) => profile(engine(e, t))],
  ];
  const rows = kinds.map(([name, make]) => {
    const empty = make(0, 0), ev = make(20, 0), all = make(20, 3);
    return { name, envelope: empty.length, perEvent: (ev.length - empty.length) / 20, perTrait: (all.length - ev.length) / 3,
      total: all.length, gzip: zlib.gzipSync(all, { level: 9 }).length, body: all };
  });
  const a = rows[2];
  console.log('### Bytes on the wire: one sync of a 20-event visit and 3 trait edits\n');
  console.log('Request bodies as sent (browsers do not compress request bodies; gzip -9 shown for comparison only).');
  console.log('Per event = (20 events - none) / 20; per trait edit = (20 events + 3 edits - 20 events) / 3.\n');
  console.log('| encoding | per event | per trait edit | envelope | whole sync | gzip -9 | per event vs (a) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  rows.forEach((r) => console.log(`| ${r.name} | ${r.perEvent.toFixed(1)} | ${r.perTrait.toFixed(1)} | ${r.envelope} | ${r.total} | ${r.gzip} | ${(r.perEvent / a.perEvent).toFixed(3)} |`));

  // A returning customer: (b) grows with history, the delta does not.
  const history = new AshnaEngine(core, PROFILE, REPLICA, 1000);
  history.consent(ALL);
  for (let i = 0; i < 500; i++) {
    const ev = events[i % 20];
    history.event({ ...ev, id: 'h' + i, ts: T0 - (500 - i) * 86400000 / 3 }, true);
  }
  events.forEach((ev) => history.event(ev, false));
  traits.forEach(([k, v, ts]) => history.trait(k, { value: v, ts }, false));
  console.log(`\nA returning customer with 500 earlier events: the same sync is ${v2(history).length} bytes in v2 and ` +
    `${v1(history).length} in v1; the whole profile as JSON is ${profile(history).length} bytes.`);

  // Answers, from the real server: the ack of this sync, and a second device receiving the visit.
  const server = await startServer();
  try {
    const post = async (body, type) => {
      const res = await fetch(server.base + '/v1/sync', { method: 'POST', headers: { 'Content-Type': type }, body });
      if (res.status !== 200) throw new Error('sync refused: ' + res.status + ' ' + (await res.text()));
      return Buffer.from(await res.arrayBuffer()).length;
    };
    const ack2 = await post(rows[0].body, 'application/msgpack');
    const ack1 = await post(rows[1].body, 'application/json');
    const laptop = (n) => ({ v: 2, k: SITE, t: TOKEN, s: 0, d: AshnaEngine.pack({ p: PROFILE, r: 'r_laptop' + n, u: 0 }) });
    const down2 = await post(AshnaEngine.pack(laptop(1)), 'application/msgpack');
    const down1 = await post(JSON.stringify({ v: 1, key: SITE, token: TOKEN, since: 0,
      delta: { profile: PROFILE, replica: 'r_laptop2', upto: 0 } }), 'application/json');
    console.log('\n| answer | v2 MessagePack | v1 JSON |');
    console.log('|---|---:|---:|');
    console.log(`| ack of this sync (nothing to send down) | ${ack2} | ${ack1} |`);
    console.log(`| another device receives the visit (20 events, 3 traits) | ${down2} | ${down1} |`);
  } finally {
    await server.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
