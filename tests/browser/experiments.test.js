// Experiments in the browser (issue 9): the site's definitions arrive with GET /v1/model, the page
// assigns with wasm/experiments.js and applies the variation to its slot, and records one
// `exposure` per page load and experiment, only with analytics consent. The expected variation is
// computed here in Node with the same module (from the Node build).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, launch, watch } = require('./harness');
const { loadExperiments } = require('../wasm/core');

const ITEM = { id: 'ethiopian-yirgacheffe', title: 'Ethiopian Yirgacheffe', category: 'coffee/single-origin', price: 14.5 };
const POPULAR = 'From our range.';  // the popular strategy's reason before the site is fitted
const FALLBACK = 'Welcome to Ashna Coffee & Tea — freshly roasted every week.';
const WORDS = ['Variation A: still thinking about the {item}?', 'Variation B: the {item} is waiting for you.'];
const greetingExperiment = (key, more) => ({ key, slot: 'greeting', hashVersion: 2,
  variations: WORDS.map((w) => ({ templates: { still_thinking: w } })), ...more });

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server?.stop(); });

async function define(experiment) {
  const res = await fetch(`${server.base}/v1/experiments/${experiment.key}`, { method: 'PUT',
    headers: { Authorization: 'Bearer sk_demo', 'Content-Type': 'application/json' }, body: JSON.stringify(experiment) });
  assert.equal(res.status, 200, await res.text());
}
async function undefine(key) {
  const res = await fetch(`${server.base}/v1/experiments/${key}`, { method: 'DELETE', headers: { Authorization: 'Bearer sk_demo' } });
  assert.equal(res.status, 200);
}
async function exposures(id) {
  const p = await server.api('/v1/profiles/' + encodeURIComponent(id));
  assert.equal(p.status, 200, JSON.stringify(p.body));
  return p.body.events.filter((e) => e.type === 'exposure').map((e) => (typeof e.props === 'string' ? JSON.parse(e.props) : e.props));
}
const greeting = (page) => page.locator('[data-ashna="greeting"]').first();
// Waits (up to 5 s) for the greeting slot to read `want`, then checks it.
async function greetingReads(page, want) {
  await page.waitForFunction((w) => document.querySelector('[data-ashna="greeting"]').textContent === w, want, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await greeting(page).textContent(), want);
}

// A fresh browser on the home page; `choice` is given to ashna.consent.set, and the page waits for
// the site model (with the experiments) when personalisation is allowed. Then a product view, so
// the greeting is personal ("still thinking about ...": the still_thinking phrase).
async function visit(b, choice) {
  const page = await b.context.newPage();
  const seen = watch(page);
  await page.goto(server.base + '/');
  await page.waitForSelector('[data-ashna="greeting"][data-ashna-kind]', { timeout: 15000 });
  const model = choice.personalisation !== false ? page.waitForResponse((r) => r.url().includes('/v1/model')) : null;
  await page.evaluate((c) => window.ashna.consent.set(c, 'banner'), choice);
  if (model) await model;
  await page.waitForTimeout(300);  // the model's JSON is read and the page re-rendered
  const id = await page.evaluate(async (item) => {
    await window.ashna.track('product_view', { item });
    await window.ashna.greeting();
    return (await window.ashna.profile.get()).id;
  }, ITEM);
  return { page, seen, id };
}
const sync = (page) => page.evaluate(() => window.ashna.sync());

test('a hashed greeting variation: its wording, one exposure per page load, and the report', async () => {
  const X = loadExperiments();
  const def = greetingExperiment('greet-words');
  await define(def);
  const b = await launch();
  try {
    const { page, seen, id } = await visit(b, 'all');
    const a = X.assign(def, { id }, Date.now());
    assert.equal(a.reason, 'assigned');
    const want = WORDS[a.variationId].replace('{item}', ITEM.title);
    await greetingReads(page, want);
    assert.equal(await greeting(page).getAttribute('data-ashna-kind'), 'same_visit');

    // Re-renders (greeting(), another event) record nothing more.
    await page.evaluate(async () => {
      await window.ashna.greeting();
      await window.ashna.track('page_view', {});
      await window.ashna.greeting();
    });
    await sync(page);
    assert.deepEqual(await exposures(id), [{ experiment: 'greet-words', variation: a.variationId }]);

    // A reload is a new page load: one more exposure, the same variation.
    const model = page.waitForResponse((r) => r.url().includes('/v1/model'));
    await page.reload();
    await model;
    await page.waitForTimeout(300);
    await greetingReads(page, want);
    await sync(page);
    assert.deepEqual(await exposures(id), [{ experiment: 'greet-words', variation: a.variationId },
      { experiment: 'greet-words', variation: a.variationId }]);

    // The report counts the visitor once, in that variation.
    const report = await server.api('/v1/experiments/greet-words/report');
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.visitors, 1);
    assert.equal(report.body.variations[a.variationId].visitors, 1);
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await undefine('greet-words');
  }
});

test('forced variations apply without an exposure; recommendations take k and strategy from their variation', async () => {
  await define(greetingExperiment('greet-forced', { force: 1 }));
  await define({ key: 'recs-k', slot: 'home', hashVersion: 2, variations: [{}, { k: 2, strategy: 'popular' }], force: 1 });
  const b = await launch();
  try {
    const { page, seen, id } = await visit(b, 'all');
    await greetingReads(page, WORDS[1].replace('{item}', ITEM.title));
    assert.equal(await page.locator('[data-ashna-recs="home"] [data-ashna-rendered]').count(), 2);
    // {strategy: 'popular'}: the non-personalised list, whatever this visitor looked at.
    const reasons = await page.locator('[data-ashna-recs="home"] [data-ashna-rendered]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ashna-reason')));
    assert.deepEqual(reasons, [POPULAR, POPULAR]);
    await page.waitForTimeout(300);
    await sync(page);
    assert.deepEqual(await exposures(id), [], 'a forced variation is not hashed: no exposure (GrowthBook\'s hashUsed)');
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await undefine('greet-forced');
    await undefine('recs-k');
  }
});

test('the holdout keeps the slot\'s own content and is recorded as such', async () => {
  await define(greetingExperiment('greet-held', { holdout: { fraction: 1, seed: 'site' } }));
  await define({ key: 'recs-held', slot: 'home', hashVersion: 2, variations: [{}, { k: 2 }], holdout: { fraction: 1, seed: 'site' } });
  const b = await launch();
  try {
    const { page, seen, id } = await visit(b, 'all');
    await greetingReads(page, FALLBACK);
    assert.equal(await greeting(page).getAttribute('data-ashna-kind'), 'holdout');
    // The recommendations were filled before the model (and its experiments) arrived: the shop's
    // own two cards are back.
    assert.equal(await page.locator('[data-ashna-recs="home"] [data-ashna-rendered]').count(), 0);
    assert.deepEqual(await page.locator('[data-ashna-recs="home"] [data-ashna-items] h4').allTextContents(),
      ['House Espresso Blend', 'Darjeeling First Flush']);
    await page.waitForTimeout(300);
    await sync(page);
    const got = (await exposures(id)).sort((x, y) => x.experiment.localeCompare(y.experiment));
    assert.deepEqual(got, [{ experiment: 'greet-held', variation: -1, holdout: true },
      { experiment: 'recs-held', variation: -1, holdout: true }]);
    // The report reads only the variations: the held-out visitor is not one of them.
    const report = await server.api('/v1/experiments/greet-held/report');
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.visitors, 0);
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await undefine('greet-held');
    await undefine('recs-held');
  }
});

test('without analytics consent there is no experiment: the usual greeting, no exposure', async () => {
  await define(greetingExperiment('greet-words', { force: 1 }));
  await define(greetingExperiment('greet-hashed'));
  const b = await launch();
  try {
    const { page, seen, id } = await visit(b, { personalisation: true, analytics: false, marketing: false });
    await greetingReads(page, 'Still thinking about the Ethiopian Yirgacheffe?');
    await page.waitForTimeout(300);
    await sync(page);
    assert.deepEqual(await exposures(id), []);
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await undefine('greet-words');
    await undefine('greet-hashed');
  }
});

test('the next page decides with the model kept from the last one: no flash of the default wording', async () => {
  await define(greetingExperiment('greet-kept', { force: 1 }));
  const b = await launch();
  try {
    const { page, seen } = await visit(b, 'all');
    const want = WORDS[1].replace('{item}', ITEM.title);
    await greetingReads(page, want);
    assert.ok(await page.evaluate(() => localStorage.getItem('ashna:pk_demo:model') !== null), 'the site model is kept');
    // The next page: GET /v1/model held back for 3 s; every text the greeting slot shows is noted
    // from the start. The variation's wording must come before the model does, and nothing else
    // personal in between.
    let modelAnswered = 0;
    await b.context.route('**/v1/model*', async (route) => {
      await new Promise((r) => setTimeout(r, 3000));
      modelAnswered = Date.now();
      await route.continue();
    });
    await page.addInitScript(() => {
      window.__texts = [];
      new MutationObserver(() => {
        const g = document.querySelector('[data-ashna="greeting"]');
        if (g && window.__texts[window.__texts.length - 1] !== g.textContent) window.__texts.push(g.textContent);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.reload();
    await page.waitForFunction((w) => document.querySelector('[data-ashna="greeting"]').textContent === w, want, { timeout: 2500 });
    assert.equal(modelAnswered, 0, 'shown before the model arrived');
    const texts = await page.evaluate(() => window.__texts);
    assert.ok(!texts.some((t) => t.startsWith('Welcome back') || t.startsWith('Still thinking')), 'the default wording never showed: ' + JSON.stringify(texts));
    await b.context.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await undefine('greet-kept');
  }
});
