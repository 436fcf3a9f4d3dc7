// Two browser contexts as two devices of one customer: each starts anonymous, identifies with a
// token the shop's backend signed, and they converge through the server (merge + down-sync).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startServer, launch } = require('./harness');

const proof = (user) => crypto.createHmac('sha256', 'is_demo').update(user).digest('hex');  // the demo's identity secret
const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });

let server, phone, laptop;
test.before(async () => { server = await startServer(); phone = await launch(); laptop = await launch(); });
test.after(async () => { await phone?.close(); await laptop?.close(); await server?.stop(); });

test('a product viewed on the phone is recalled on the laptop after both identify', async () => {
  const a = await phone.context.newPage();
  await a.goto(server.base + '/products/ethiopian-yirgacheffe.html');
  await rendered(a);
  await a.click('[data-ashna-consent="accept-all"]');
  const phoneAnon = await a.evaluate(async () => (await window.ashna.profile.get()).id);
  const idA = await a.evaluate((t) => window.ashna.identify('alice', { token: t, traits: { name: 'Alice' } }), proof('alice'));
  assert.equal(idA.id, phoneAnon, 'the first device keeps its profile, now the customer\'s');

  const b = await laptop.context.newPage();
  await b.goto(server.base + '/');
  await rendered(b);
  await b.click('[data-ashna-consent="accept-all"]');
  const laptopAnon = await b.evaluate(async () => (await window.ashna.profile.get()).id);
  assert.notEqual(laptopAnon, phoneAnon);
  const idB = await b.evaluate((t) => window.ashna.identify('alice', { token: t }), proof('alice'));
  assert.equal(idB.id, phoneAnon, 'the laptop is merged into the customer\'s profile');

  // A later visit on the laptop: it knows the name and the product from the phone.
  await b.clock.setFixedTime(Date.now() + 3 * 3600 * 1000);
  await b.reload();
  await rendered(b);
  assert.equal(await b.locator('[data-ashna="greeting"]').textContent(),
    'Welcome back, Alice — still thinking about the Ethiopian Yirgacheffe?');

  // And the phone receives the laptop's events by its next sync: both hold the server's events.
  await b.evaluate(() => window.ashna.sync());
  await a.evaluate(() => window.ashna.sync());
  const after = await a.evaluate(async () => (await window.ashna.profile.get()).events);
  assert.ok(after.some((e) => e.path === '/'), 'the laptop\'s home page view reached the phone');
  const onServer = (await server.api('/v1/profiles/' + phoneAnon)).body.events.map((e) => e.id).sort();
  assert.deepEqual(after.map((e) => e.id).sort(), onServer);

  const api = await server.api('/v1/profiles/' + laptopAnon);
  assert.equal(api.body.id, phoneAnon, 'the laptop\'s anonymous id resolves to the customer');
  assert.equal(api.body.traits.name.value, 'Alice');
});

test('a forged identify token is refused with a clear error and merges nothing', async () => {
  const ctx = await launch();
  try {
    const p = await ctx.context.newPage();
    await p.goto(server.base + '/');
    await rendered(p);
    const before = await p.evaluate(() => window.ashna.identify('alice', { token: 'x' }).then(() => 'ok', (e) => e.message));
    assert.equal(before, "ashna.identify: needs the customer's consent to personalisation or analytics");
    await p.click('[data-ashna-consent="accept-all"]');
    const id = await p.evaluate(async () => (await window.ashna.profile.get()).id);
    const forged = await p.evaluate((t) => window.ashna.identify('alice', { token: t }).then(() => 'ok', (e) => e.message), proof('mallory'));
    assert.equal(forged, 'ashna.identify: proof: does not match this user id; sign it on your server');
    assert.equal(await p.evaluate(async () => (await window.ashna.profile.get()).id), id);
    const api = await server.api('/v1/profiles/' + id);
    assert.equal(api.body.id, id, 'still its own anonymous profile');
  } finally {
    await ctx.close();
  }
});

test('erasing on one device erases the server copy and the other device\'s copy', async () => {
  const p1 = await launch(), p2 = await launch();
  try {
    const a = await p1.context.newPage(), b = await p2.context.newPage();
    for (const page of [a, b]) {
      await page.goto(server.base + '/products/japanese-sencha.html');
      await rendered(page);
      await page.click('[data-ashna-consent="accept-all"]');
      await page.evaluate((t) => window.ashna.identify('dave', { token: t }), proof('dave'));
    }
    await a.evaluate(() => window.ashna.sync());
    const id = await a.evaluate(async () => (await window.ashna.profile.get()).id);
    assert.ok((await server.api('/v1/profiles/' + id)).body.events.length >= 4);

    const result = await b.evaluate(() => window.ashna.profile.erase());
    assert.deepEqual(result, { erased: true, pending: false });
    assert.deepEqual((await b.evaluate(() => window.ashna.profile.get())).events, []);
    const api = await server.api('/v1/profiles/' + id);
    assert.deepEqual(api.body.events, []);
    assert.ok(api.body.erased > 0);

    await a.evaluate(() => window.ashna.sync());
    assert.deepEqual((await a.evaluate(() => window.ashna.profile.get())).events, [], 'the phone erased its copy');
    const stored = await a.evaluate(() => JSON.parse(localStorage.getItem('ashna:pk_demo:state')));
    assert.deepEqual(stored.events, []);
  } finally {
    await p1.close();
    await p2.close();
  }
});

test('withdrawing consent erases the profile here and on the server', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.goto(server.base + '/products/colombia-huila.html');
    await rendered(page);
    await page.click('[data-ashna-consent="accept-all"]');
    await page.evaluate(() => window.ashna.sync());
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    assert.ok((await server.api('/v1/profiles/' + id)).body.events.length >= 2);
    const erased = page.waitForResponse((r) => r.url().endsWith('/v1/sync') && r.status() === 200);
    await page.evaluate(() => window.ashna.consent.set('necessary'));
    await erased;
    const api = await server.api('/v1/profiles/' + id);
    assert.deepEqual(api.body.events, []);
    assert.ok(api.body.erased > 0);
    await page.waitForFunction(() => localStorage.getItem('ashna:pk_demo:erase') === null);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ['ashna:pk_demo:consent']);
  } finally {
    await ctx.close();
  }
});

test('offline: events made while sync requests fail survive reloads and arrive exactly once', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.goto(server.base + '/');
    await rendered(page);
    await page.click('[data-ashna-consent="accept-all"]');
    await page.evaluate(() => window.ashna.sync());
    await ctx.context.route('**/v1/sync', (route) => route.abort('internetdisconnected'));
    for (const p of ['colombia-huila', 'japanese-sencha', 'house-espresso']) {
      await page.goto(`${server.base}/products/${p}.html`);
      await rendered(page);
    }
    await page.reload();
    await rendered(page);
    const local = (await page.evaluate(() => window.ashna.profile.get())).events.map((e) => e.id).sort();
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    assert.ok((await server.api('/v1/profiles/' + id)).body.events.length < local.length, 'the server is behind while offline');
    await ctx.context.unroute('**/v1/sync');
    await page.evaluate(() => window.ashna.sync());
    await page.evaluate(() => window.ashna.sync());  // a second round changes nothing
    const remote = (await server.api('/v1/profiles/' + id)).body.events.map((e) => e.id).sort();
    assert.deepEqual(remote, local);
    assert.equal(new Set(remote).size, remote.length, 'no duplicates');
  } finally {
    await ctx.close();
  }
});
