// Payload of peer SDKs, for docs/benchmarks.md (issue 8): the script a site loads from a tag,
// taken from each package's npm tarball at a pinned version, compressed here the same way as
// Ashna's own files (brotli quality 11, gzip level 9). Needs the npm registry; not part of CI.
// Usage: node tests/bench/peers.js [ashna-build-dir]   (default build/wasm/wasm)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

// [package@version, file in the tarball that a script tag loads, what it does]
const PEERS = [
  ['@segment/analytics-next@1.84.3', 'dist/umd/standalone.js', 'tracker (core; destinations load later)'],
  ['@rudderstack/analytics-js@3.34.1', 'dist/npm/modern/umd/index.js', 'tracker (core; plugins load later)'],
  ['@snowplow/browser-tracker@4.10.1', 'dist/index.umd.min.js', 'tracker'],
  ['posthog-js@1.449.2', 'dist/array.js', 'tracker, flags, experiments'],
  ['@growthbook/growthbook@1.8.0', 'dist/bundles/auto.min.js', 'on-device flags and experiments'],
  ['vanilla-cookieconsent@3.1.0', 'dist/cookieconsent.umd.js', 'consent banner (plus its CSS)'],
];
// What a shop that wants what Ashna does must load at least: a tracker, an on-device evaluator and
// a consent manager (the comparison).
const STACK = ['@segment/analytics-next', '@growthbook/growthbook', 'vanilla-cookieconsent'];

const sizes = (buf) => ({
  raw: buf.length,
  gzip: zlib.gzipSync(buf, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n) => (n / 1024).toFixed(1);

const build = process.argv[2] || path.join(__dirname, '..', '..', 'build', 'wasm', 'wasm');
const rows = [];
const ashna = ['ashna-snippet.js', 'ashna.js', 'ashna.wasm'].map((f) => sizes(fs.readFileSync(path.join(build, f))));
const sum = (k) => ashna.reduce((a, s) => a + s[k], 0);
const own = { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
rows.push(['Ashna (snippet + ashna.js + ashna.wasm)', 'this build', 'personalisation, profile, consent, sync', own]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-peers-'));
try {
  for (const [spec, file, what] of PEERS) {
    const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir, 'package/' + file]);
    rows.push([spec.replace(/@([^@]+)$/, ' $1'), file, what, sizes(fs.readFileSync(path.join(dir, 'package', file)))]);
    fs.rmSync(path.join(dir, 'package'), { recursive: true, force: true });
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const stack = rows.filter(([name]) => STACK.some((p) => name.startsWith(p + ' ')));
const total = (k) => stack.reduce((a, r) => a + r[3][k], 0);
rows.push([`tracker + evaluator + consent (${STACK.join(' + ')})`, 'sum', 'what Ashna replaces',
  { raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') }]);

console.log('| SDK | file | does | raw KB | gzip KB | brotli KB | brotli vs Ashna |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const [name, file, what, s] of rows)
  console.log(`| ${name} | \`${file}\` | ${what} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} | ${(s.brotli / own.brotli).toFixed(2)}× |`);
