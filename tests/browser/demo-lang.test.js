// The demo shop's language switch (English / فارسی): ?lang=fa shows the shop right to left in
// Persian and sets the SDK's locale, so the greeting and slots render in Persian; the choice is in
// the URL only (nothing stored before consent), and the links keep it.
// ASHNA_SCREENSHOTS=1 also writes docs/screenshots/home-en.png and home-fa.png.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer, launch, watch, storage } = require('./harness');

const DAY = 24 * 3600 * 1000;
const PERSIAN = /[\u0600-\u06FF]/;
const rendered = (page) => page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });
const greeting = (page) => page.locator('[data-ashna="greeting"]').first();
let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server?.stop(); });

test('switch to فارسی: rtl page in Persian, Persian greeting, the choice kept in links only', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const seen = watch(page);
    await page.goto(server.base + '/');
    await rendered(page);
    assert.equal(await page.locator('.lang-switch a[aria-current]').textContent(), 'English');
    await page.click('.lang-switch a[lang="fa"]');
    await page.waitForURL(/\?lang=fa$/);
    await rendered(page);
    assert.deepEqual(await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang]), ['rtl', 'fa']);
    assert.equal(await page.locator('#hero-title').textContent(), 'قهوه‌ی خوب، چای مرغوب، به سلیقه‌ی شما.');
    assert.match(await greeting(page).textContent(), PERSIAN, 'the shop\'s own greeting, in Persian, on a first visit');
    assert.equal(await page.locator('.lang-switch a[aria-current]').textContent(), 'فارسی');
    assert.equal(await page.locator('.site-nav a').first().getAttribute('href'), '/?lang=fa');
    assert.deepEqual((await storage(page)).localStorage, {}, 'nothing stored: the choice is in the URL');

    // Consent, a product (its link keeps the language), back home: the SDK greets in Persian.
    await page.click('[data-ashna-consent="accept-all"]');
    await page.click('a[href^="/products/ethiopian-yirgacheffe.html"]');
    await page.waitForURL(/ethiopian-yirgacheffe\.html\?lang=fa$/);
    await rendered(page);
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.click('.site-nav a[href="/?lang=fa"]');
    await rendered(page);
    assert.equal(await greeting(page).textContent(), 'هنوز به Ethiopian Yirgacheffe فکر می‌کنید؟');
    assert.equal(await greeting(page).getAttribute('dir'), 'rtl');
    // With consent the choice is also the customer's locale, as the profile centre sets it.
    assert.equal(await page.evaluate(async () => (await window.ashna.profile.get()).traits.locale.value), 'fa');

    // Back to English: the page and the greeting follow.
    await page.click('.lang-switch a[lang="en"]');
    await page.waitForURL(/\?lang=en$/);
    await page.waitForFunction(() => document.querySelector('[data-ashna="greeting"]').textContent === 'Still thinking about the Ethiopian Yirgacheffe?');
    assert.deepEqual(await page.evaluate(() => [document.documentElement.dir || 'ltr', document.documentElement.lang]), ['ltr', 'en']);
    assert.deepEqual(seen.errors, []);
  } finally {
    await ctx.close();
  }
});

test('a returning customer in Persian: reorder greeting, recommendations and offer rendered', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    await page.setViewportSize({ width: 1200, height: 1000 });
    const visitAt = async (url, time) => { await page.clock.setFixedTime(time); await page.goto(url); await rendered(page); };
    const t0 = Date.now() - 60 * DAY;
    await visitAt(server.base + '/products/house-espresso.html', t0);
    await page.click('[data-ashna-consent="accept-all"]');
    await page.evaluate(() => window.ashna.profile.update({ name: 'Sara' }));
    for (const [i, id] of [[0, 'house-espresso'], [1, 'japanese-sencha'], [14, 'house-espresso'], [28, 'house-espresso'],
      [41, 'japanese-sencha'], [42, 'house-espresso']]) {
      await visitAt(`${server.base}/products/${id}.html`, t0 + i * DAY);
      await page.click('[data-ashna-track="purchase"]');
    }
    await visitAt(server.base + '/?lang=en', t0 + 55 * DAY);
    assert.equal(await greeting(page).textContent(), 'Running low on House Espresso Blend? Time to reorder.');
    const reason = () => page.locator('[data-ashna-recs] [data-ashna-rendered]').first().getAttribute('data-ashna-reason');
    assert.match(await reason(), /^You reorder this about every 2 weeks, last on \d+ [A-Z][a-z]{2}\.$/);
    const shots = process.env.ASHNA_SCREENSHOTS ? path.join(__dirname, '..', '..', 'docs', 'screenshots') : null;
    if (shots) await page.screenshot({ path: path.join(shots, 'home-en.png') });

    await page.click('.lang-switch a[lang="fa"]');
    await page.waitForURL(/\?lang=fa$/);
    await page.waitForFunction(() => /رو به اتمام است/.test(document.querySelector('[data-ashna="greeting"]').textContent));
    assert.equal(await greeting(page).textContent(), 'House Espresso Blend رو به اتمام است؟ وقت سفارش دوباره است.');
    const cards = page.locator('[data-ashna-recs] [data-ashna-rendered]');
    assert.equal(await cards.count(), 4);
    assert.equal(await cards.first().getAttribute('data-ashna-item'), 'house-espresso');
    // The reasons follow the page's language: Persian words, Persian digits, a Solar Hijri date.
    assert.match(await reason(), /^این را حدوداً هر ۲ هفته دوباره می‌خرید؛ آخرین بار [۰-۹]+ \S+\.$/);
    for (const r of await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-ashna-reason')))) {
      assert.match(r, PERSIAN);
      assert.doesNotMatch(r, /[0-9]/);
    }
    assert.match(await page.locator('[data-ashna-offer]').getAttribute('data-ashna-reason'), /^دو چیز محبوب شما و یک چیز تازه از /);
    assert.match(await cards.first().locator('a').getAttribute('href'), /^\/products\/house-espresso\.html\?lang=fa$/);
    assert.equal(await page.locator('[data-ashna-offer]').isVisible(), true);
    assert.equal(await page.locator('#offer-title').textContent(), 'پیشنهاد وفاداری شما: دو محبوب و یک چیز تازه، با ۱۰٪ تخفیف');
    if (shots) await page.screenshot({ path: path.join(shots, 'home-fa.png') });
  } finally {
    await ctx.close();
  }
});

test('impression cap: items shown on three page loads without a look rest on the fourth; kept locally', async () => {
  const ctx = await launch();
  try {
    const page = await ctx.context.newPage();
    const seen = watch(page);
    const shown = () => page.locator('[data-ashna-recs] [data-ashna-rendered]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-ashna-item')));
    await page.goto(server.base + '/');
    await rendered(page);
    await page.click('[data-ashna-consent="accept-all"]');
    await page.waitForSelector('[data-ashna-recs] [data-ashna-rendered]');
    const first = await shown();
    assert.equal(first.length, 4);
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await rendered(page);
      assert.deepEqual(await shown(), first, 'fewer than three impressions: the same items');
    }
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':impressions'))
      .map((k) => JSON.parse(localStorage.getItem(k)))[0]);
    assert.deepEqual([...new Set(kept.map((i) => i[0]))].sort(), [...first].sort(), 'one impression per item and page load');
    assert.equal(kept.length, 12);
    await page.reload();
    await rendered(page);
    const rested = await shown();
    assert.equal(rested.length, 4, 'the slot is still full');
    for (const id of first) assert.ok(!rested.includes(id), id + ' was shown three times and rests');
    // Withdrawing personalisation forgets them.
    await page.evaluate(() => window.ashna.consent.set({ personalisation: false, analytics: true, marketing: false }));
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':impressions')).length), 0);
    assert.deepEqual(seen.errors, []);
  } finally {
    await ctx.close();
  }
});
