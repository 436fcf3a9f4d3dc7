// Formats bench results as Markdown tables (see tests/bench/run).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const [nativeJson, wasmJson, wasmDir] = process.argv.slice(2);
const native = JSON.parse(nativeJson).runs, wasm = JSON.parse(wasmJson).runs;
const us = (ns) => (ns / 1000).toFixed(ns < 10000 ? 2 : 1);
const ratio = (a, b) => (a / b).toFixed(2);

console.log('### Core speed (µs per operation; ratios measured in this run)\n');
console.log('Decisions = all views + greeting + 10 recommendations over a 40-item catalog. Baseline: writing the same');
console.log('profile as JSON (one linear pass), native. State = bytes the browser stores for the profile.\n');
console.log('| events | track native | track wasm | decisions native | decisions wasm | wasm/native | decisions / JSON baseline | state bytes |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
native.forEach((n, i) => {
  const w = wasm[i];
  console.log(`| ${n.events} | ${us(n.track_ns)} | ${us(w.track_ns)} | ${us(n.decisions_ns)} | ${us(w.decisions_ns)} | ${ratio(w.decisions_ns, n.decisions_ns)} | ${ratio(n.decisions_ns, n.to_json_ns)} | ${n.state_bytes} |`);
});

console.log('\n### Memory per profile (bytes; ratio measured in this run)\n');
console.log('One profile as a page holds it: the engine with the 40-item catalog, the events, and its decisions computed');
console.log('once (views cached). Native: glibc heap in use (mallinfo2) over many profiles; wasm: the growth of the wasm');
console.log('memory over many profiles in a fresh instance (emmalloc). Allocator overhead included in both.\n');
console.log('| events | native | wasm | wasm/native | native per event | wasm per event |');
console.log('|---:|---:|---:|---:|---:|---:|');
native.forEach((n, i) => {
  const w = wasm[i];
  console.log(`| ${n.events} | ${n.memory_bytes} | ${w.memory_bytes} | ${ratio(w.memory_bytes, n.memory_bytes)} | ${Math.round(n.memory_bytes / n.events)} | ${Math.round(w.memory_bytes / w.events)} |`);
});

console.log('\n### Payload a page loads (bytes)\n');
console.log('| file | raw | gzip -9 | brotli -q 11 |');
console.log('|---|---:|---:|---:|');
let total = [0, 0, 0];
for (const f of ['ashna-snippet.js', 'ashna.js', 'ashna.wasm']) {
  const buf = fs.readFileSync(path.join(wasmDir, f));
  const gz = zlib.gzipSync(buf, { level: 9 }).length;
  const br = zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total = [total[0] + buf.length, total[1] + gz, total[2] + br];
  console.log(`| ${f} | ${buf.length} | ${gz} | ${br} |`);
}
console.log(`| **total** | ${total[0]} | ${total[1]} | ${total[2]} |`);
