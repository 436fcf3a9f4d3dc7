// The tag on a shop served from one origin, talking to ashna-server on another: CORS preflight,
// the sync, and the profile visible in the backend API of the API server.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launch } = require('./harness');

test('a shop on another origin syncs to ashna-server through CORS', async () => {
  const api = await startServer();
  const pages = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-shop-'));
  fs.writeFileSync(path.join(pages, 'cross.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Another shop</title>
<script src="/ashna-snippet.js"></script>
<script async src="/ashna.js" data-site="pk_demo" data-endpoint="${api.base}/"></script>
</head><body><p data-ashna="greeting">Hello.</p>
<main data-ashna-product="x1" data-ashna-title="Cross Origin Roast" data-ashna-category="coffee" data-ashna-price="9"></main>
<button data-ashna-consent="accept-all">Accept all</button></body></html>`);
  // The same shop with data-wire="json": protocol version 1, for debugging.
  fs.writeFileSync(path.join(pages, 'cross-json.html'), fs.readFileSync(path.join(pages, 'cross.html'), 'utf8')
    .replace('data-site="pk_demo"', 'data-site="pk_demo" data-wire="json"'));
  const shop = await startServer([pages]);
  const b = await launch();
  try {
    assert.notEqual(new URL(api.base).origin, new URL(shop.base).origin);
    const page = await b.context.newPage();
    const synced = page.waitForResponse((r) => r.url() === api.base + '/v1/sync' && r.request().method() === 'POST');
    await page.goto(shop.base + '/cross.html');
    await page.waitForSelector('[data-ashna-kind]');
    await page.click('[data-ashna-consent="accept-all"]');
    const res = await synced;
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['access-control-allow-origin'], shop.base);
    // Version 2 across origins: MessagePack both ways (the preflight allows Content-Type).
    assert.equal(res.request().headers()['content-type'], 'application/msgpack');
    assert.equal(res.headers()['content-type'], 'application/msgpack');
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    const profile = await api.api('/v1/profiles/' + id);
    assert.equal(profile.status, 200);
    assert.ok(profile.body.events.some((e) => e.type === 'product_view' && e.item.title === 'Cross Origin Roast'));

    // data-wire="json": the same exchange in version 1.
    const json = await b.context.newPage();
    const syncedJson = json.waitForResponse((r) => r.url() === api.base + '/v1/sync' && r.request().method() === 'POST');
    await json.goto(shop.base + '/cross-json.html');
    await json.waitForSelector('[data-ashna-kind]');
    const resJson = await syncedJson;
    assert.equal(resJson.status(), 200);
    assert.equal(resJson.request().headers()['content-type'], 'application/json');
    assert.match(resJson.headers()['content-type'], /^application\/json/);
    assert.equal((await resJson.json()).profile, id);
  } finally {
    await b.close();
    await shop.stop();
    await api.stop();
    fs.rmSync(pages, { recursive: true, force: true });
  }
});
