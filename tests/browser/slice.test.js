// The first end-to-end slice in a real Chromium: demo shop page -> ashna.js + ashna.wasm ->
// consent -> localStorage -> POST /v1/sync -> SQLite -> GET /v1/profiles/{id}.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, launch, watch, storage } = require('./harness');

const PRODUCT = '/products/ethiopian-yirgacheffe.html';
const greetingOf = (page) => page.locator('[data-ashna="greeting"]').first();
// The wasm has rendered once it has set data-ashna-kind on the slot.
const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });

let server, browser;
test.before(async () => { server = await startServer(); browser = await launch(); });
test.after(async () => { await browser?.close(); await server?.stop(); });

test('before a consent choice nothing is stored and nothing is synced', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.goto(server.base + '/');
  await rendered(page);
  await page.goto(server.base + PRODUCT);
  await rendered(page);
  assert.equal(await page.locator('[data-ashna-consent-banner]').isVisible(), true, 'banner is shown');
  await page.waitForTimeout(1500);  // longer than the SDK's sync debounce
  assert.equal(seen.syncs.length, 0, 'no request reached /v1/sync');
  const s = await storage(page);
  assert.deepEqual(s.localStorage, {});
  assert.equal(s.sessionStorage, 0);
  assert.deepEqual(s.indexedDB, []);
  assert.equal(s.cookies, '');
  assert.equal(await greetingOf(page).getAttribute('data-ashna-kind'), 'generic');
  assert.deepEqual(seen.errors, [], 'no console errors (the CSP allows the SDK)');
  await page.close();
});

test('necessary only: the choice is kept, nothing else, and nothing is sent', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const seen = watch(page);
    await page.goto(server.base + PRODUCT);
    await rendered(page);
    await page.getByRole('button', { name: 'Necessary only' }).click();
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('[data-ashna-consent-banner]').isVisible(), false);
    const keys = Object.keys((await storage(page)).localStorage);
    assert.deepEqual(keys, ['ashna:pk_demo:consent']);
    await page.reload();
    await rendered(page);
    assert.equal(await page.locator('[data-ashna-consent-banner]').isVisible(), false, 'the choice is remembered');
    assert.deepEqual(Object.keys((await storage(page)).localStorage), ['ashna:pk_demo:consent']);
    assert.equal(seen.syncs.length, 0);
  } finally {
    await ctx.close();
  }
});

test('accept, browse, sync, come back: returning greeting and the profile in the backend API', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  // Records what the loader gives sendBeacon (Playwright does not report requests sent on unload).
  await page.addInitScript(() => {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      const ok = send(url, data);
      sessionStorage.setItem('beacons', (sessionStorage.getItem('beacons') || '') + (data && data.type) + ':' + ok + ' ');
      return ok;
    };
  });
  const syncOk = page.waitForResponse((r) => r.url().endsWith('/v1/sync') && r.status() === 200);
  await page.goto(server.base + PRODUCT);
  await rendered(page);
  // Keyboard only: the banner's button is reachable and works with Enter.
  const accept = page.locator('[data-ashna-consent="accept-all"]');
  await accept.focus();
  await page.keyboard.press('Enter');
  const synced = await syncOk;
  // Protocol version 2 is the default: MessagePack both ways (docs/sync-protocol.md).
  assert.equal(synced.request().headers()['content-type'], 'application/msgpack');
  assert.equal(synced.headers()['content-type'], 'application/msgpack');
  const s = await storage(page);
  assert.ok(s.localStorage['ashna:pk_demo:state'], 'profile persisted after consent');
  assert.deepEqual(JSON.parse(s.localStorage['ashna:pk_demo:consent']).purposes, { personalisation: true, analytics: true, marketing: true });
  assert.equal(JSON.parse(s.localStorage['ashna:pk_demo:consent']).source, 'banner');

  const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
  assert.match(id, /^a_[A-Za-z0-9_-]{22}$/);
  const api = await server.api('/v1/profiles/' + id);
  assert.equal(api.status, 200);
  assert.equal(api.body.id, id);
  const views = api.body.events.filter((e) => e.type === 'product_view');
  assert.equal(views.length, 1);
  assert.equal(views[0].item.id, 'ethiopian-yirgacheffe');
  assert.equal(views[0].item.title, 'Ethiopian Yirgacheffe');
  assert.ok(api.body.events.some((e) => e.type === 'page_view' && e.path === PRODUCT));

  // Same visit: the home page recalls the product just viewed. What is pending when the page is
  // left goes out in a beacon (same origin: MessagePack).
  await page.evaluate(() => window.ashna.track('click', { target: 'leaving' }));
  await page.goto(server.base + '/');
  await rendered(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('beacons')), 'application/msgpack:true ');
  assert.equal(await greetingOf(page).textContent(), 'Still thinking about the Ethiopian Yirgacheffe?');

  // Two hours later (a new visit), after a reload: a returning greeting computed in wasm.
  await page.clock.setFixedTime(Date.now() + 2 * 3600 * 1000);
  const resync = page.waitForResponse((r) => r.url().endsWith('/v1/sync') && r.status() === 200);
  await page.reload();
  await rendered(page);
  assert.equal(await greetingOf(page).textContent(), 'Welcome back — still thinking about the Ethiopian Yirgacheffe?');
  assert.equal(await greetingOf(page).getAttribute('data-ashna-kind'), 'returning');
  assert.match(await greetingOf(page).getAttribute('data-ashna-reason'), /looked at the Ethiopian Yirgacheffe/);

  // The reload's page view reaches the server too, and the state is the same profile.
  await resync;
  assert.equal(await page.evaluate(async () => (await window.ashna.profile.get()).id), id);
  const after = await server.api('/v1/profiles/' + id);
  assert.ok(after.body.events.length >= 3);
  assert.ok(after.body.events.some((e) => e.type === 'click' && e.props.target === 'leaving'));
  assert.ok(after.body.version >= 2);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('hostile strings reach the greeting as literal text, never as HTML', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.base + '/');
  await rendered(page);
  const evilName = '<img src=x onerror="window.__pwned=1">';
  const evilTitle = '<img src=x onerror="window.__pwned=2">';
  await page.evaluate(async ([name, title]) => {
    await window.ashna.profile.update({ name });
    for (let i = 0; i < 5; i++) await window.ashna.track('product_view', { item: { id: 'evil', title } });
  }, [evilName, evilTitle]);
  // A later visit, so the greeting uses both the name and the most-viewed product.
  await page.clock.setFixedTime(Date.now() + 4 * 3600 * 1000);
  await page.reload();
  await rendered(page);
  const slot = greetingOf(page);
  assert.equal(await slot.textContent(), `Welcome back, ${evilName} — still thinking about the ${evilTitle}?`);
  assert.equal(await slot.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // The name form of the shop goes through the same path.
  await page.fill('#name-input', '<b>bold</b>');
  await page.click('#name-form button');
  await page.waitForFunction(() => document.querySelector('[data-ashna="greeting"]').textContent.includes('<b>bold</b>'));
  assert.equal(await slot.locator('b').count(), 0);
  await page.close();
});

test('calls made before the SDK loads are queued and replayed', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    // Hold ashna.js back so page code certainly runs first.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/ashna.js', async (route) => { await held; await route.continue(); });
    await page.goto(server.base + '/', { waitUntil: 'domcontentloaded' });
    assert.equal(await page.evaluate(() => window.ashna.snippet), 1, 'the snippet stub is in place');
    const pending = page.evaluate(() => Promise.all([
      window.ashna.consent.set('all'),
      window.ashna.profile.update({ name: 'Queued' }),
      window.ashna.profile.get(),
    ]));
    release();
    const [consent, , profile] = await pending;
    assert.equal(consent.personalisation, true);
    assert.equal(profile.traits.name.value, 'Queued');
    const bad = await page.evaluate(() => window.ashna.track(42).then(() => 'resolved', (e) => e.message));
    assert.equal(bad, 'ashna.track(type, props): type must be a non-empty string');
  } finally {
    await ctx.close();
  }
});

test('if the wasm cannot load, the page keeps its fallback and calls resolve', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const seen = watch(page);
    await page.route('**/ashna.wasm', (route) => route.abort());
    await page.goto(server.base + '/');
    await page.waitForFunction(() => window.ashna && !window.ashna.snippet);
    const result = await page.evaluate(() => window.ashna.track('page_view'));
    assert.equal(result, undefined);
    assert.equal(await greetingOf(page).textContent(), 'Welcome to Ashna Coffee & Tea — freshly roasted every week.');
    await page.waitForTimeout(300);
    assert.equal(seen.warnings.filter((w) => w.startsWith('[ashna] the WebAssembly core could not load')).length, 1);
  } finally {
    await ctx.close();
  }
});

test('fast first paint: within a visit the last greeting is painted before the wasm loads', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.goto(server.base + PRODUCT);
    await rendered(page);
    await page.click('[data-ashna-consent="accept-all"]');
    await page.goto(server.base + '/');
    await rendered(page);
    const personal = await greetingOf(page).textContent();
    assert.equal(personal, 'Still thinking about the Ethiopian Yirgacheffe?');
    // Next page: hold the wasm back; the cached greeting is already there.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/ashna.wasm', async (route) => { await held; await route.continue(); });
    await page.goto(server.base + '/');
    await page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]');
    assert.equal(await greetingOf(page).textContent(), personal, 'painted while the wasm is still held back');
    release();
    const g = await page.evaluate(() => window.ashna.greeting());  // resolves once the core is up
    assert.equal(g.text, personal);
    assert.equal(await greetingOf(page).textContent(), personal);
  } finally {
    await ctx.close();
  }
});
