// The profile centre (ashna-profile-centre.js on demo-site/profile.html): customers see, correct
// and erase what Ashna knows, in English or Persian; removed interests stay removed; GPC shown.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startServer, launch } = require('./harness');

const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });
const centre = (page) => page.waitForSelector('[data-ashna-profile-centre] h2', { timeout: 15000 });
let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server?.stop(); });

async function browseAndOpen(ctx) {
  const page = await ctx.context.newPage();
  await page.goto(server.base + '/products/ethiopian-yirgacheffe.html');
  await rendered(page);
  await page.click('[data-ashna-consent="accept-all"]');
  for (const p of ['colombia-huila', 'japanese-sencha']) {
    await page.goto(`${server.base}/products/${p}.html`);
    await rendered(page);
  }
  await page.goto(server.base + '/profile.html');
  await centre(page);
  return page;
}

test('inferred interests show their reason; a removed one never comes back', async () => {
  const ctx = await launch();
  try {
    const page = await browseAndOpen(ctx);
    const inferred = page.locator('#ashna-pc-interests ul').nth(1);
    assert.match(await inferred.textContent(), /coffee — From 2 views\./);
    await inferred.locator('button[data-key="coffee"]').click();
    await page.waitForFunction(() => !document.querySelector('#ashna-pc-interests button[data-key="coffee"][data-action="remove"]'));
    // More coffee browsing afterwards: still removed.
    await page.goto(server.base + '/products/house-espresso.html');
    await rendered(page);
    await page.goto(server.base + '/profile.html');
    await centre(page);
    const text = await page.locator('#ashna-pc-interests').textContent();
    assert.ok(!/\bcoffee —/.test(text), text);
    assert.ok(!/single origin —/.test(text), 'sub-categories of a removed interest are gone too');
    await page.evaluate(() => window.ashna.sync());
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    const api = await server.api('/v1/profiles/' + id);
    assert.equal(api.body.traits['interest:coffee'].value, '-');
  } finally {
    await ctx.close();
  }
});

test('editing name and language: Persian, right-to-left, names shown as text', async () => {
  const ctx = await launch();
  try {
    const page = await browseAndOpen(ctx);
    await page.fill('#ashna-pc-name', '<b>آرش</b>');
    await page.selectOption('#ashna-pc-lang', 'fa');
    await page.click('.ashna-pc-form[data-action="save-traits"] button[type=submit]');
    await page.waitForSelector('[data-ashna-profile-centre][dir="rtl"][lang="fa"]');
    assert.equal(await page.locator('[data-ashna-profile-centre] h1').textContent(), 'نمایه‌ی شما');
    assert.equal(await page.locator('.ashna-pc-note').textContent(), 'ذخیره شد.', 'the confirmation is in the new language');
    assert.equal(await page.inputValue('#ashna-pc-name'), '<b>آرش</b>');
    assert.equal(await page.locator('[data-ashna-profile-centre] b').count(), 0);
    await page.clock.setFixedTime(Date.now() + 3 * 3600 * 1000);
    await page.goto(server.base + '/');
    await rendered(page);
    const g = page.locator('[data-ashna="greeting"]');
    assert.equal(await g.getAttribute('dir'), 'rtl');
    assert.match(await g.textContent(), /^<b>آرش<\/b>، خوش برگشتید/);
  } finally {
    await ctx.close();
  }
});

test('choices: pausing personalisation makes the greeting generic; GPC keeps marketing off', async () => {
  const ctx = await launch();
  try {
    await ctx.context.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true }));
    const page = await browseAndOpen(ctx);
    assert.equal(await page.isDisabled('#ashna-pc-marketing'), true);
    assert.match(await page.locator('#ashna-pc-choices').textContent(), /Global Privacy Control/);
    assert.equal((await page.evaluate(() => window.ashna.consent.get())).marketing, false);
    await page.uncheck('#ashna-pc-personalisation');
    await page.click('.ashna-pc-form[data-action="save-consent"] button[type=submit]');
    await page.waitForFunction(async () => (await window.ashna.consent.get()).personalisation === false);
    const c = await page.evaluate(() => window.ashna.consent.get());
    assert.deepEqual([c.personalisation, c.analytics, c.marketing], [false, true, false]);
    await page.goto(server.base + '/');
    await rendered(page);
    assert.equal(await page.locator('[data-ashna="greeting"]').getAttribute('data-ashna-kind'), 'generic');
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('ashna:pk_demo:consent')));
    assert.equal(stored.source, 'profile_centre');
    // The audit trail reached the server: the banner's choice, then the profile centre's.
    await page.evaluate(() => window.ashna.sync());
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    const trail = (await server.api('/v1/profiles/' + id + '/consent')).body.consent;
    assert.deepEqual(trail.map((r) => [r.source, r.personalisation, r.marketing]),
      [['banner', true, false], ['profile_centre', false, false]]);
    assert.deepEqual((await page.evaluate(() => JSON.parse(localStorage.getItem('ashna:pk_demo:consent')))).unsent, []);
  } finally {
    await ctx.close();
  }
});

test('download everything, then erase everything after a confirmation', async () => {
  const ctx = await launch();
  try {
    const page = await browseAndOpen(ctx);
    const id = await page.evaluate(async () => (await window.ashna.profile.get()).id);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="download"]')]);
    const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(json.profile.id, id);
    assert.ok(json.profile.events.length >= 3);
    assert.ok(json.views.rfm);
    await page.click('[data-action="erase"]');
    assert.equal(await page.isVisible('.ashna-pc-confirm'), true);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-action')), 'erase-cancel');
    await page.click('[data-action="erase-confirmed"]');
    await page.waitForSelector('.ashna-pc-note');
    assert.equal(await page.locator('.ashna-pc-note').first().textContent(), 'Your profile is erased.');
    assert.deepEqual((await page.evaluate(() => window.ashna.profile.get())).events, []);
    const api = await server.api('/v1/profiles/' + id);
    assert.deepEqual(api.body.events, []);
    assert.ok(api.body.erased > 0);
  } finally {
    await ctx.close();
  }
});

test('Google Consent Mode v2: the same choice is forwarded to gtag', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-gcm-'));
  fs.writeFileSync(path.join(dir, 'gcm.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GCM</title>
<script src="/gcm.js"></script><script src="/ashna-snippet.js"></script>
<script async src="/ashna.js" data-site="pk_demo" data-endpoint="/" data-consent-mode="google"></script></head>
<body><p data-ashna="greeting">Hi.</p></body></html>`);
  fs.writeFileSync(path.join(dir, 'gcm.js'), 'window.calls = []; window.gtag = function () { window.calls.push([].slice.call(arguments)); };');
  const s = await startServer([dir]);
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.goto(s.base + '/gcm.html');
    await page.waitForSelector('[data-ashna-kind]');
    await page.evaluate(() => window.ashna.consent.set({ personalisation: true, analytics: false, marketing: false }));
    const calls = await page.evaluate(() => window.calls);
    assert.deepEqual(calls, [['consent', 'update', { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied',
      analytics_storage: 'denied', personalization_storage: 'granted', functionality_storage: 'granted', security_storage: 'granted' }]]);
    assert.equal((await page.evaluate(() => window.ashna.consent.get())).google.personalization_storage, 'granted');
    await page.reload();  // the stored choice is forwarded again on the next page
    await page.waitForSelector('[data-ashna-kind]');
    assert.equal((await page.evaluate(() => window.calls)).length, 1);
  } finally {
    await ctx.close();
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
