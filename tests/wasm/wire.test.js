// Sync protocol version 2 in JavaScript: the core's MessagePack encoder (wasm) against the JS
// reader in wasm/engine.js (pack, unpack, answer), hostile bytes, and a round trip through the
// real ashna-server.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore } = require('./core');

const T = 1790000000000;
const ALL = { decided: true, personalisation: true, analytics: true, marketing: true };

// A shopping visit as the loader records it: ids are a per-page prefix and a counter.
function visit(engine) {
  let n = 0, ts = T;
  const id = () => 'Qx7bN2kLpW9z.' + ++n;
  const eth = { id: 'ethiopian-yirgacheffe', title: 'Ethiopian Yirgacheffe', category: 'coffee/single-origin', price: 14.5 };
  const kenya = { id: 'kenya-aa', title: 'Kenya AA', category: 'coffee/single-origin', price: 12.99 };
  for (const it of [eth, kenya]) {
    const path = '/products/' + it.id + '.html';
    assert.equal(engine.event({ id: id(), type: 'page_view', ts: ts += 2000, path, props: { title: it.title } }).ok, true);
    assert.equal(engine.event({ id: id(), type: 'product_view', ts: ts += 3500, path, item: it }).ok, true);
    assert.equal(engine.event({ id: id(), type: 'add_to_cart', ts: ts += 9000, path, lines: [{ ...it, qty: 1 }] }).ok, true);
  }
  assert.equal(engine.event({ id: id(), type: 'purchase', ts: ts += 60000, path: '/checkout', currency: 'EUR',
    props: { order: 'o-1042' }, lines: [{ ...eth, qty: 2 }, { ...kenya, qty: 1, price: 12.345 }] }).ok, true);
  assert.equal(engine.trait('name', { value: 'Ana', ts: ts += 1000 }).ok, true);
  assert.equal(engine.trait('interest:tea', { value: '-', ts: ts += 1000 }).ok, true);
}

// The down delta a version-2 answer would carry: the engine's delta wrapped as the server does.
function asAnswer(compact) {
  const d = Object.assign(Object.create(null), compact, { V: 7, m: false });
  delete d.p; delete d.r; delete d.u;
  return { a: compact.u, p: 'p1', V: 7, n: [1, 2], d };
}

test('the core encodes the delta; the JS reader gives back what the JSON delta says', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'a_q8Zr2LmX5vKc9WnT4bHd1A', 'r_Jk3mP9sQ2xVa');
  e.consent(ALL);
  visit(e);
  const bytes = e.deltaBytes();
  assert.ok(bytes instanceof Uint8Array);
  const json = e.delta();
  assert.ok(bytes.length * 3 < e.deltaText().length, `${bytes.length} bytes against ${e.deltaText().length} of JSON`);

  const compact = AshnaEngine.unpack(bytes);
  assert.equal(compact.S[compact.p] ?? compact.p, json.profile);
  assert.equal(compact.S[compact.r] ?? compact.r, json.replica);
  assert.equal(compact.u, json.upto);
  assert.equal(compact.b, json.events[0].ts);
  const down = AshnaEngine.answer(asAnswer(compact)).down;
  assert.deepEqual(down.events, json.events);
  assert.deepEqual(down.traits, json.traits);
  assert.equal(down.events[6].lines[1].price, 12.345);  // not whole hundredths: a float64 on the wire

  // What the answer reader gives, the engine takes back as acknowledged data.
  const f = new AshnaEngine(core, 'a_q8Zr2LmX5vKc9WnT4bHd1A', 'r_other');
  f.consent(ALL);
  down.events.forEach((ev) => assert.equal(f.event(ev, true).ok, true));
  Object.keys(down.traits).forEach((k) => assert.equal(f.trait(k, down.traits[k], true).ok, true));
  assert.deepEqual(f.profile(), e.profile());
  e.free(); f.free();
});

test('a delta with nothing pending, and one with hostile strings', async () => {
  const { core, AshnaEngine } = await loadCore();
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  assert.deepEqual({ ...AshnaEngine.unpack(e.deltaBytes()) }, { p: 'p1', r: 'r1', u: 0 });
  const nasty = 'a"b\\c<script>&\u2028\u0001سلام😀\ud800end';
  assert.equal(e.event({ id: nasty, type: 'product_view', ts: T, channel: 'email', path: nasty,
    item: { id: nasty, title: nasty, category: nasty, price: 1e9 }, props: { [nasty]: nasty } }).ok, true);
  const down = AshnaEngine.answer(asAnswer(AshnaEngine.unpack(e.deltaBytes()))).down;
  assert.deepEqual(down.events, e.delta().events);
  assert.equal(down.events[0].channel, 'email');
  assert.equal(down.events[0].item.price, 1e9);
  assert.ok(down.events[0].id.endsWith('\ufffdend'), 'a lone surrogate is U+FFFD, not paired with the next character');
  e.free();
});

test('pack and unpack agree on every form of every type', async () => {
  const { AshnaEngine } = await loadCore();
  const { pack, unpack } = AshnaEngine;
  const ints = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, T, 2 ** 53 - 1];
  for (const n of ints) assert.equal(unpack(pack(n)), n);
  for (const x of [-1, 0.5, 2 ** 53, NaN]) assert.throws(() => pack(x), TypeError);  // an envelope has none
  const f64 = (x) => { const b = new Uint8Array(9); b[0] = 0xcb; new DataView(b.buffer).setFloat64(1, x); return b; };
  for (const x of [0.5, 14.345, -1e300, 2 ** 53]) assert.equal(unpack(f64(x)), x);  // prices the server sends
  assert.equal(pack(127).length, 1);
  assert.equal(pack(128).length, 2);
  assert.equal(pack(T).length, 9);
  for (const len of [0, 31, 32, 255, 256, 65535, 65536]) assert.equal(unpack(pack('x'.repeat(len))), 'x'.repeat(len));
  assert.equal(unpack(pack('سلام 😀')), 'سلام 😀');
  assert.equal(unpack(pack('a\ud800b')), 'a\ufffdb');  // a lone surrogate: still valid UTF-8
  for (const len of [0, 15, 16, 65536]) assert.equal(unpack(pack(new Array(len).fill(1))).length, len);
  const obj = {};
  for (let i = 0; i < 16; i++) obj['k' + i] = i;
  assert.deepEqual({ ...unpack(pack(obj)) }, obj);
  assert.deepEqual({ ...unpack(pack({ a: null, b: true, c: false, d: undefined })) }, { a: null, b: true, c: false });
  assert.deepEqual(unpack(pack([new Uint8Array([0x92, 1, 2])])), [[1, 2]]);  // bytes are spliced in as is
  // Forms the server may use that pack never writes.
  assert.equal(unpack(new Uint8Array([0xd0, 0x80])), -128);
  assert.equal(unpack(new Uint8Array([0xd1, 0x80, 0x00])), -32768);
  assert.equal(unpack(new Uint8Array([0xd2, 0x80, 0, 0, 0])), -(2 ** 31));
  assert.equal(unpack(new Uint8Array([0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])), -2);
  assert.equal(unpack(new Uint8Array([0xe0])), -32);
  assert.equal(unpack(new Uint8Array([0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0])), -(2 ** 63));
  assert.throws(() => unpack(new Uint8Array([0xca, 0x3f, 0xc0, 0, 0])), /type 0xca, not part of the protocol, at byte 1/);
  assert.equal(unpack(new Uint8Array([0xdb, 0, 0, 0, 1, 0x61])), 'a');
  assert.deepEqual(unpack(new Uint8Array([0xdd, 0, 0, 0, 1, 0xc0])), [null]);
  assert.deepEqual({ ...unpack(new Uint8Array([0xdf, 0, 0, 0, 1, 0xa1, 0x61, 1])) }, { a: 1 });
  // A key named __proto__ is data, not a prototype.
  assert.equal(Object.getPrototypeOf(unpack(pack({ ['__proto__']: 1 }))), null);
});

test('hostile bytes: every truncation, trailing bytes, unknown types and deep nesting throw', async () => {
  const { core, AshnaEngine } = await loadCore();
  const { unpack } = AshnaEngine;
  const e = new AshnaEngine(core, 'p1', 'r1');
  e.consent(ALL);
  visit(e);
  const bytes = e.deltaBytes();
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => unpack(bytes.subarray(0, n)), /^Error: msgpack: truncated at byte/, `truncated at ${n}`);
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => unpack(longer), /trailing bytes/);
  for (const b of [0xc1, 0xc4, 0xc5, 0xc6, 0xc7, 0xca, 0xd4, 0xd8]) {
    assert.throws(() => unpack(new Uint8Array([b, 1, 1, 1, 1, 1, 1, 1, 1, 1])), /not part of the protocol/);
  }
  assert.throws(() => unpack(new Uint8Array(17).fill(0x91)), /nested deeper than 16/);
  assert.throws(() => unpack(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0])), /truncated/);  // 4 G announced
  assert.throws(() => unpack(new Uint8Array([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61])), /truncated/);
  assert.throws(() => unpack(new Uint8Array([0x81, 0x01, 0x02])), /not a string/);
  // Every corrupted byte: an Error or a value, never anything else.
  for (let i = 0; i < bytes.length; i++) {
    for (const v of [0x00, 0x7f, 0x90, 0xa0, 0xc0, 0xcf, 0xdc, 0xff]) {
      const c = bytes.slice();
      c[i] = v;
      try { AshnaEngine.answer(asAnswer(unpack(c))); } catch (err) { assert.ok(err instanceof Error); }
    }
  }
  e.free();
});

test('version 2 through the real server: encoder, answer, down delta from another device', async () => {
  const { startServer } = require('../browser/harness');
  const server = await startServer();
  const { core, AshnaEngine } = await loadCore();
  const post = (body) => fetch(server.base + '/v1/sync', { method: 'POST', headers: { 'Content-Type': 'application/msgpack' }, body });
  const read = async (res) => {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/msgpack');
    return AshnaEngine.answer(AshnaEngine.unpack(new Uint8Array(await res.arrayBuffer())));
  };
  try {
    const phone = new AshnaEngine(core, 'a_wire_test', 'r_phone');
    phone.consent(ALL);
    visit(phone);
    const record = [T, true, true, false, 'banner', '2026-09'];
    const a = await read(await post(AshnaEngine.pack({ v: 2, k: 'pk_demo', t: 't_wire_test_0123456789', s: 0, c: [record],
      d: phone.deltaBytes() })));
    assert.deepEqual(a.ack, { upto: phone.delta().upto });
    assert.deepEqual(a.accepted, { events: 7, traits: 2, consent: 1 });
    assert.equal(a.profile, 'a_wire_test');
    assert.equal(a.down.events.length, 0);
    assert.deepEqual(Object.keys(a.down.traits).sort(), ['interest:tea', 'name']);  // its own, as in version 1

    // A second device of the same profile gets everything the phone wrote, as acknowledged data.
    const stored = await server.api('/v1/profiles/a_wire_test');
    assert.equal(stored.status, 200);
    const b = await read(await post(AshnaEngine.pack({ v: 2, k: 'pk_demo', t: 't_wire_test_0123456789', s: 0,
      d: AshnaEngine.pack({ p: 'a_wire_test', r: 'r_laptop', u: 0 }) })));
    const laptop = new AshnaEngine(core, 'a_wire_test', 'r_laptop');
    laptop.consent(ALL);
    b.down.events.forEach((ev) => assert.equal(laptop.event(ev, true).ok, true));
    Object.keys(b.down.traits).forEach((k) => assert.equal(laptop.trait(k, b.down.traits[k], true).ok, true));
    assert.deepEqual(laptop.profile().events, stored.body.events);
    assert.deepEqual(laptop.profile(), phone.profile());

    // Errors stay JSON, whatever the request's encoding.
    const bad = await post(AshnaEngine.pack({ v: 2, k: 'pk_demo', t: 't_wire_test_0123456789', d: { p: 'a_wire_test', r: 'r1', u: 1, e: [[1, 0, 0]] } }));
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type'), /^application\/json/);
    assert.deepEqual((await bad.json()).error, { code: 'invalid_field',
      message: 'delta.events[0].id: string table index 1 is out of range (the table has 0)' });
    const cut = await post(phone.deltaBytes().subarray(0, 10));
    assert.equal(cut.status, 400);
    assert.equal((await cut.json()).error.code, 'malformed_msgpack');
    phone.free(); laptop.free();
  } finally {
    await server.stop();
  }
});

test('the hybrid clock in the browser: a slow device’s later edit wins, and its tick survives the wire and storage', async () => {
  const { core, AshnaEngine } = await loadCore();
  const fast = new AshnaEngine(core, 'p1', 'ra');
  const slow = new AshnaEngine(core, 'p1', 'rb');
  fast.consent(ALL); slow.consent(ALL);
  assert.equal(fast.trait('name', { value: 'Ana', ts: T + 3600000 }).ok, true);  // an hour ahead
  const down = AshnaEngine.answer(asAnswer(AshnaEngine.unpack(fast.deltaBytes()))).down;
  assert.equal(slow.trait('name', down.traits.name, true).ok, true);
  assert.equal(slow.trait('name', { value: 'Anahita', ts: T }).ok, true);       // edited later, clock behind
  const mine = slow.profile().traits.name;
  assert.deepEqual([mine.value, mine.ts, mine.tick], ['Anahita', T + 3600000, 1]);
  const back = AshnaEngine.answer(asAnswer(AshnaEngine.unpack(slow.deltaBytes()))).down;
  assert.equal(back.traits.name.tick, 1);
  assert.equal(fast.trait('name', back.traits.name, true).ok, true);
  assert.equal(fast.profile().traits.name.value, 'Anahita');
  const restored = new AshnaEngine(core, 'p1', 'rb');
  restored.consent(ALL);
  assert.equal(restored.restore(JSON.parse(JSON.stringify(slow.state()))), 0);
  assert.deepEqual(restored.profile(), slow.profile());
  assert.equal(restored.trait('name', { value: 'Ana H.', ts: T }).ok, true);   // the clock came back too
  assert.equal(restored.profile().traits.name.tick, 2);
  fast.free(); slow.free(); restored.free();
});
