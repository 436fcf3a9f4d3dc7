// The same workload as bench_core.cpp, through the wasm build and its JS wrapper (what a page
// pays, boundary crossings included). Prints one JSON object.
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
    runs.push({ events: n, track_ns: Math.round(track), decisions_ns: Math.round(greeting), to_json_ns: Math.round(toJson), state_bytes: stateBytes, sink: sink % 10 });
    e.free();
  }
  console.log(JSON.stringify({ build: 'wasm', runs }));
})();
