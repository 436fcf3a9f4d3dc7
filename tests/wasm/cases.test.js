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
