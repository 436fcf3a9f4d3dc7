// Real parts for browser tests: the built ashna-server on a free port with a fresh SQLite file,
// serving demo-site/ and the wasm build, and Debian's chromium driven by playwright-core.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.join(__dirname, '..', '..');
const serverBin = process.env.ASHNA_SERVER || path.join(root, 'build', 'native', 'server', 'ashna-server');
const wasmDir = process.env.ASHNA_WASM_DIR || path.join(root, 'build', 'wasm', 'wasm');

// extraStatic: more folders to serve (benchmarks' pages).
async function startServer(extraStatic = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-browser-'));
  const db = path.join(dir, 'test.db');
  const statics = [path.join(root, 'demo-site'), wasmDir, ...extraStatic].flatMap((d) => ['--static', d]);
  const proc = spawn(serverBin, ['--db', db, '--listen', '127.0.0.1:0', '--demo', ...statics],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out + log)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}${log}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base, db, proc,
    log: () => log,
    async api(pathname, key = 'sk_demo') {
      const res = await fetch(base + pathname, { headers: { Authorization: `Bearer ${key}` } });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch() {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,  // the first launch on a cold machine takes ~10 s
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

// Records what a page does on the network and in its console.
function watch(page) {
  const seen = { syncs: [], errors: [], warnings: [] };
  page.on('request', (r) => { if (r.url().includes('/v1/sync')) seen.syncs.push(r); });
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
    if (m.type() === 'warning') seen.warnings.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  return seen;
}

// Everything the page keeps in browser storage.
async function storage(page) {
  return page.evaluate(async () => {
    const ls = {};
    for (let i = 0; i < localStorage.length; i++) ls[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
    const idb = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
    return { localStorage: ls, sessionStorage: sessionStorage.length, indexedDB: idb, cookies: document.cookie };
  });
}

// For a test file that needs pages of its own: writes `files` ({relative path: text}) to a fresh
// temporary folder, serves it beside the demo shop, launches a browser, and hands both to
// `ready(server, browser)` before the file's tests; closes and removes everything after them.
function servePages(prefix, files, ready) {
  const test = require('node:test');
  let dir, server, browser;
  test.before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `ashna-${prefix}-`));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    server = await startServer([dir]);
    browser = await launch();
    ready(server, browser);
  });
  test.after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
}

module.exports = { startServer, launch, watch, storage, servePages };
