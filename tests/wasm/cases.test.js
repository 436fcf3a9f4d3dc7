// The wasm build against the same fixtures as tests/sdk/cases_test.cpp: both builds must agree.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore, loadCases } = require('./core');

test('greeting fixtures give the same answers in wasm', async (t) => {
  const { core, AshnaEngine } = await loadCore();
  const doc = loadCases('greeting.json');
  assert.ok(doc.cases.length >= 20);
  for (const c of doc.cases) {
    await t.test(c.name, () => {
      const e = new AshnaEngine(core, 'p1', 'r1');
      try {
        if (c.consent) e.consent(c.consent);
        for (const [name, tr] of Object.entries(c.traits || {})) assert.deepEqual(e.trait(name, tr, true), { ok: true });
        for (const ev of c.events) {
          const r = e.event(ev, false);
          if (r.error) assert.equal(r.error.code, 'consent_refused');
        }
        const g = e.greeting(c.context);
        for (const [k, v] of Object.entries(c.expect)) assert.equal(g[k], v, `field ${k}`);
      } finally {
        e.free();
      }
    });
  }
});

test('event validation fixtures give the same verdicts and messages in wasm', async (t) => {
  const { core, AshnaEngine } = await loadCore();
  for (const c of loadCases('events.json').cases) {
    await t.test(c.name, () => {
      const e = new AshnaEngine(core, 'p1', 'r1');
      e.consent({ decided: true, personalisation: true, analytics: true, marketing: true });
      let r;
      for (let i = 0; i < (c.repeat || 1); i++) r = e.event(c.event, false);
      if (c.expect.ok) {
        assert.equal(r.ok, true);
        if (c.expect.events) assert.equal(e.profile().events.length, c.expect.events);
      } else {
        assert.equal(r.error.code, c.expect.code);
        assert.equal(r.error.message, c.expect.message);
      }
      e.free();
    });
  }
});

// Same partial-match rule as check_partial in tests/sdk/cases_test.cpp.
function checkPartial(expected, actual, path) {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length (got ${JSON.stringify(actual)})`);
    expected.forEach((v, i) => checkPartial(v, actual[i], `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected)) {
      assert.ok(actual && k in actual, `${path}.${k} missing in ${JSON.stringify(actual)}`);
      checkPartial(v, actual[k], `${path}.${k}`);
    }
  } else if (typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-6, `${path}: ${actual} != ${expected}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

test('views, recommendations and offer fixtures give the same answers in wasm', async (t) => {
  const { core, AshnaEngine } = await loadCore();
  const doc = loadCases('views.json');
  for (const c of doc.cases) {
    await t.test(c.name, () => {
      const e = new AshnaEngine(core, 'p1', 'r1');
      try {
        for (const item of doc.catalog) assert.deepEqual(e.catalogItem(item), { ok: true });
        e.consent(c.consent);
        for (const [name, tr] of Object.entries(c.traits || {})) assert.deepEqual(e.trait(name, tr, true), { ok: true });
        for (const ev of c.events) assert.equal(e.event(ev, false).ok, true, JSON.stringify(ev));
        const ex = c.expect, locale = c.locale || 'en';
        if (ex.views) checkPartial(ex.views, e.views(doc.now), 'views');
        if (ex.recommend) {
          const got = e.recommend({ now: doc.now, k: ex.recommend.k, locale, impressions: c.impressions || [] });
          checkPartial(ex.recommend.items, got.map((g) => g.item), 'recommend.items');
          if (ex.recommend.strategies) checkPartial(ex.recommend.strategies, got.map((g) => g.strategy), 'recommend.strategies');
          if (ex.recommend.reasons) checkPartial(ex.recommend.reasons, got.map((g) => g.reason), 'recommend.reasons');
        }
        if (ex.offer) checkPartial(ex.offer, e.offer(doc.now, locale), 'offer');
        if (ex.greeting) checkPartial(ex.greeting, e.greeting({ now: doc.now, hour: 12, locale }), 'greeting');
      } finally {
        e.free();
      }
    });
  }
});
