// The ES module build (ashna.mjs) under the demo's strict CSP (script-src 'self'
// 'wasm-unsafe-eval'): a page imports it from a <script type="module"> file, starts it with
// init(), gets a greeting and a synced event, and the wasm is compiled while it streams in.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { servePages, watch } = require('./harness');

let server, browser;
// A page one folder down: ashna.wasm must be found next to ashna.mjs, not next to the page.
servePages('esm', {
  'esm/page.html': `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>ESM</title><link rel="icon" href="/favicon.svg"><script type="module" src="/esm/page.mjs"></script></head>
<body><p data-ashna="greeting">Hello from the shop.</p>
<section data-ashna-consent-banner hidden><button type="button" data-ashna-consent="accept-all">Accept all</button></section>
</body></html>`,
  'esm/page.mjs': `import ashna, { init, ashna as named } from '/ashna.mjs';
window.sameBeforeInit = ashna === window.ashna && named === ashna;
ashna.track('click', { target: 'before-init' });  // queued until the SDK is up
window.started = init({ site: 'pk_demo', endpoint: '/', catalog: '/catalog.json' }) === ashna;
window.imported = ashna;
`,
}, (s, b) => { server = s; browser = b; });

test('import ashna from /ashna.mjs: same API as the tag, greeting and sync under the strict CSP', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.addInitScript(() => {
    const orig = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = function () { window.streamed = (window.streamed || 0) + 1; return orig.apply(this, arguments); };
  });
  const res = await page.goto(server.base + '/esm/page.html');
  assert.match(res.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval';/);
  await page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => [window.sameBeforeInit, window.started, window.imported === window.ashna, !window.ashna.snippet]),
    [true, true, true, true]);
  assert.equal(await page.evaluate(() => window.streamed), 1, 'compiled with WebAssembly.instantiateStreaming');
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')));
  assert.deepEqual(wasm, ['/ashna.wasm']);

  const g = await page.evaluate(() => window.ashna.greeting());
  assert.equal(g.kind, 'generic');
  assert.match(g.text, /Welcome/);
  const synced = page.waitForResponse((r) => r.url().endsWith('/v1/sync') && r.status() === 200);
  await page.click('[data-ashna-consent="accept-all"]');
  await synced;
  const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
  const api = await server.api('/v1/profiles/' + id);
  assert.equal(api.status, 200);
  assert.ok(api.body.events.some((e) => e.type === 'page_view' && e.path === '/esm/page.html'));
  assert.ok(api.body.events.some((e) => e.type === 'click' && e.props.target === 'before-init'), 'the call queued before init() was replayed');

  // A later visit greets from the wasm, as the tag does.
  await page.clock.setFixedTime(Date.now() + 3 * 3600 * 1000);
  await page.reload();
  await page.waitForSelector('[data-ashna="greeting"][data-ashna-kind="returning"]', { timeout: 15000 });
  assert.match(await page.locator('[data-ashna="greeting"]').textContent(), / — welcome back!$/);
  assert.deepEqual(seen.errors, [], 'no console errors (no CSP violation)');
  await page.close();
});
