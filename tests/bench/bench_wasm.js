// The same workload as bench_core.cpp, through the wasm build and its JS wrapper (what a page
// pays, boundary crossings included), and the wasm memory one profile holds. Prints one JSON object.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { loadCore } = require('../wasm/core');

function makeEvent(i, items, start, step) {
  const item = (i * 7919) % items, id = 'item-' + item, cat = 'cat-' + (item % 4);
  const e = { id: 'e' + i, ts: start + i * step };
  if (i % 10 === 9) Object.assign(e, { type: 'purchase', lines: [{ id, category: cat, price: 12.5, qty: 1 }] });
  else if (i % 3 === 0) Object.assign(e, { type: 'page_view', path: '/products/' + id + '.html' });
  else Object.assign(e, { type: 'product_view', item: { id, title: 'Product ' + item, category: cat, price: 12.5 } });
  return e;
}

// One profile as a page holds it: the engine with the catalog, `n` events (calling `step` after
// each), and its decisions computed once.
function makeProfile(core, AshnaEngine, n, cfg, step) {
  const e = new AshnaEngine(core, 'p1', 'r1', n);
  e.consent({ decided: true, personalisation: true, analytics: true, marketing: true });
  for (let c = 0; c < cfg.items; c++)
    e.catalogItem({ id: 'item-' + c, title: 'Product ' + c, category: 'cat-' + (c % 4), price: 10 + (c % 7), replenish_days: c % 5 === 0 ? 30 : 0 });
  for (let i = 0; i < n; i++) { e.event(makeEvent(i, cfg.items, cfg.start, cfg.step_ms), false); if (step) step(i); }
  const now = cfg.start + n * cfg.step_ms + 3600000;
  e.greeting({ now, hour: 12, locale: 'en' });
  e.recommend({ now, k: 10 });
  return e;
}

// Bytes per profile in wasm memory, allocator overhead included. The memory only grows, and it
// grows exactly when the heap's top passes its size: building profiles in a fresh instance, each
// growth gives a point (profiles built so far, counted by events, = the size passed) on the line
// of heap use, and its slope is the bytes per profile.
async function bytesPerProfile(n, cfg) {
  const { core, AshnaEngine } = await loadCore();
  const points = [];
  for (let built = 0; built < 20000 && (points.length < 4 || points[points.length - 1][0] - points[0][0] < 8); built++) {
    let size = core.HEAPU8.length;
    makeProfile(core, AshnaEngine, n, cfg, (i) => {
      if (core.HEAPU8.length !== size) points.push([built + (i + 1) / n, size]), size = core.HEAPU8.length;
    });
  }
  const [a, b] = [points[0], points[points.length - 1]];
  return (b[1] - a[1]) / (b[0] - a[0]);
}

(async () => {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2] || path.join(__dirname, 'workload.json'), 'utf8'));
  const { core, AshnaEngine } = await loadCore();
  const runs = [];
  for (const n of cfg.sizes) {
    const e = new AshnaEngine(core, 'p1', 'r1', n);
    e.consent({ decided: true, personalisation: true, analytics: true, marketing: true });
    for (let c = 0; c < cfg.items; c++)
      e.catalogItem({ id: 'item-' + c, title: 'Product ' + c, category: 'cat-' + (c % 4), price: 10 + (c % 7), replenish_days: c % 5 === 0 ? 30 : 0 });
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) e.event(makeEvent(i, cfg.items, cfg.start, cfg.step_ms), false);
    const track = Number(process.hrtime.bigint() - t0) / n;
    const ctx = { now: cfg.start + n * cfg.step_ms + 3600000, hour: 12, locale: 'en' };
    const reps = Math.max(10, Math.floor(cfg.greetings * 100 / n));
    let sink = 0;
    t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) {
      sink += e.greeting(ctx).text.length + e.views(ctx.now).categories.length + e.recommend({ now: ctx.now, k: 10 }).length;
    }
    const greeting = Number(process.hrtime.bigint() - t0) / reps;
    const stateBytes = JSON.stringify(e.state()).length;
    t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) sink += e.profile().events.length;
    const toJson = Number(process.hrtime.bigint() - t0) / reps;
    e.free();
    const memory = Math.round(await bytesPerProfile(n, cfg));
    runs.push({ events: n, track_ns: Math.round(track), decisions_ns: Math.round(greeting), to_json_ns: Math.round(toJson), state_bytes: stateBytes, memory_bytes: memory, sink: sink % 10 });
  }
  console.log(JSON.stringify({ build: 'wasm', runs }));
})();
