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

  // And the phone receives the laptop's events on its next sync.
  const before = (await a.evaluate(async () => (await window.ashna.profile.get()).events.length));
  await a.evaluate(() => window.ashna.sync());
  const after = await a.evaluate(async () => (await window.ashna.profile.get()).events);
  assert.ok(after.length > before, `phone had ${before} events, now ${after.length}`);
  assert.ok(after.some((e) => e.path === '/'), 'the laptop\'s home page view reached the phone');

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
