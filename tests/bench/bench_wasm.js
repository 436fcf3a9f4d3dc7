// The same workload as bench_core.cpp, through the wasm build and its JS wrapper (what a page
// pays, boundary crossings included). Prints one JSON object.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { loadCore } = require('../wasm/core');

function makeEvent(i, items, start, step) {
  const item = (i * 7919) % items;
  const e = { id: 'e' + i, ts: start + i * step, type: i % 3 === 0 ? 'page_view' : 'product_view' };
  if (e.type === 'product_view') e.item = { id: 'item-' + item, title: 'Product ' + item, category: 'coffee', price: 12.5 };
  else e.path = '/products/item-' + item + '.html';
  return e;
}

(async () => {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2] || path.join(__dirname, 'workload.json'), 'utf8'));
  const { core, AshnaEngine } = await loadCore();
  const runs = [];
  for (const n of cfg.sizes) {
    const e = new AshnaEngine(core, 'p1', 'r1', n);
    e.consent({ decided: true, personalisation: true, analytics: true, marketing: true });
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) e.event(makeEvent(i, cfg.items, cfg.start, cfg.step_ms), false);
    const track = Number(process.hrtime.bigint() - t0) / n;
    const ctx = { now: cfg.start + n * cfg.step_ms + 3600000, hour: 12, locale: 'en' };
    const reps = Math.max(10, Math.floor(cfg.greetings * 100 / n));
    let sink = 0;
    t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) sink += e.greeting(ctx).text.length;
    const greeting = Number(process.hrtime.bigint() - t0) / reps;
    t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) sink += e.profile().events.length;
    const toJson = Number(process.hrtime.bigint() - t0) / reps;
    runs.push({ events: n, track_ns: Math.round(track), greeting_ns: Math.round(greeting), to_json_ns: Math.round(toJson), sink: sink % 10 });
    e.free();
  }
  console.log(JSON.stringify({ build: 'wasm', runs }));
})();
