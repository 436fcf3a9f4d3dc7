// The browser's experiment assignment (wasm/experiments.js, from the Node build) against
// GrowthBook's language-neutral cases.json, with the same sections, the same not-applicable
// categories and the same floors as tests/sdk/growthbook_test.cpp; then against
// tests/cases/experiments.json, which the C++ assign() passes too (tests/sdk/experiment_cases_test.cpp):
// JavaScript and C++ put every profile in the same variation.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadExperiments, loadCases } = require('./core');

const casesPath = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'growthbook', 'cases.json');

// As in growthbook_test.cpp: run cases whose context needs a GrowthBook feature Ashna does not have.
const RUN_NOT_APPLICABLE = {
  enabled: 'a global on/off switch: Ashna gates experiments by consent in the engine',
  url: 'forcing a variation from the query string: Ashna has no URL overrides',
  forcedVariations: 'forcing from the context (GrowthBook\'s dev tools): Ashna has no QA overrides',
  qaMode: 'QA mode: Ashna has no QA mode',
  features: 'prerequisite feature flags (parentConditions): Ashna has slots, not feature flags',
};
const SECTIONS_NOT_APPLICABLE = {
  feature: 'feature flags and their rules: Ashna decides slots with experiments, not flags',
  getQueryStringOverride: 'URL overrides are a QA tool Ashna does not offer',
  decrypt: 'encrypted payloads (AES-CBC via SubtleCrypto): Ashna\'s model comes from its own server',
  stickyBucket: 'sticky buckets need a store; Ashna\'s assignment is a pure function of the profile id',
  urlRedirect: 'Ashna fills slots and never redirects pages',
};
// At least as many cases as specVersion 0.5.4 held, so an emptied file cannot pass.
const FLOORS = { evalCondition: 143, versionCompare: 63, hash: 15, getBucketRange: 13, chooseVariation: 13,
  inNamespace: 16, getEqualWeights: 6, run: 63 };

const round8 = (n) => Math.floor(n * 1e8) / 1e8;

test('GrowthBook cases.json: conditions, hashing, bucketing and run (JavaScript)', (t) => {
  if (!fs.existsSync(casesPath)) {
    t.skip(`${casesPath} is absent (GrowthBook's cases.json lives beside the project)`);
    return;
  }
  const X = loadExperiments();
  const doc = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
  const tally = {};
  const record = (section, ok, name) => {
    const s = tally[section] = tally[section] || { passed: 0, total: 0, notApplicable: 0, failures: [] };
    s.total++;
    if (ok) s.passed++; else s.failures.push(name);
  };

  for (const [name, condition, attributes, expected] of doc.evalCondition)
    record('evalCondition', X.evalCondition(attributes, condition) === expected, name);

  // The same operators as GrowthBook's json.test.ts checks for each kind.
  for (const [kind, cases] of Object.entries(doc.versionCompare)) {
    for (const [v1, v2, want] of cases) {
      const a = X.paddedVersionString(v1), b = X.paddedVersionString(v2);
      const ok = kind === 'eq' ? (a === b) === want && (a !== b) === !want && (a >= b) === want && (a <= b) === want
        : kind === 'gt' ? (a >= b) === want && (a > b) === want
        : kind === 'lt' ? (a < b) === want && (a <= b) === want : false;
      record('versionCompare', ok, `${kind}: ${v1} vs ${v2}`);
    }
  }

  for (const [seed, value, version, expected] of doc.hash)
    record('hash', X.hash(seed, value, version) === expected, `hash(${JSON.stringify(seed)}, ${JSON.stringify(value)}, ${version})`);

  for (const [name, args, expected] of doc.getBucketRange) {
    const got = X.getBucketRanges(args[0], args[1], args[2]);
    record('getBucketRange', got.length === expected.length && got.every((r, i) =>
      round8(r[0]) === round8(expected[i][0]) && round8(r[1]) === round8(expected[i][1])), name);
  }

  for (const [name, n, ranges, expected] of doc.chooseVariation)
    record('chooseVariation', X.chooseVariation(n, ranges) === expected, name);

  for (const [name, id, ns, expected] of doc.inNamespace)
    record('inNamespace', X.inNamespace(id, ns) === expected, name);

  for (const [n, expected] of doc.getEqualWeights) {
    const got = X.getEqualWeights(n);
    record('getEqualWeights', got.length === expected.length && got.every((w, i) => round8(w) === round8(expected[i])),
      `getEqualWeights(${n})`);
  }

  // run: [name, context, experiment, value, inExperiment, hashUsed], at now = 0 as in the C++ test.
  const runSkipped = {};
  for (const [name, context, experiment, value, inExperiment, hashUsed] of doc.run) {
    let skip = '';
    for (const field of Object.keys(context)) if (field !== 'attributes') skip = field;
    if (experiment.parentConditions) skip = 'features';
    if (skip) {
      assert.ok(RUN_NOT_APPLICABLE[skip], `a new kind of run case (${skip}): decide whether it applies`);
      runSkipped[skip] = (runSkipped[skip] || 0) + 1;
      tally.run.notApplicable++;
      continue;
    }
    const a = X.assign({ ...experiment, slot: 'gb' }, context.attributes || {}, 0);
    let same = false;
    try { assert.deepStrictEqual(a.value, value); same = true; } catch (e) { /* recorded below */ }
    record('run', same && a.inExperiment === inExperiment && a.hashUsed === hashUsed, name);
  }

  const lines = [`GrowthBook cases.json (specVersion ${doc.specVersion}), wasm/experiments.js`];
  for (const section of Object.keys(tally).sort()) {
    const s = tally[section];
    lines.push(`  ${section.padEnd(16)} ${s.passed}/${s.total}` + (s.notApplicable ? `  (+${s.notApplicable} not applicable)` : ''));
  }
  for (const [field, n] of Object.entries(runSkipped).sort())
    lines.push(`  run, not applicable: ${n} with ${field}: ${RUN_NOT_APPLICABLE[field]}`);
  for (const [section, reason] of Object.entries(SECTIONS_NOT_APPLICABLE))
    lines.push(`  ${section} (${doc[section] ? doc[section].length : 0} cases), not applicable: ${reason}`);
  lines.forEach((l) => t.diagnostic(l));

  for (const [section, floor] of Object.entries(FLOORS)) {
    const s = tally[section];
    assert.deepEqual(s.failures, [], `${section} failures`);
    assert.ok(s.total >= floor, `${section}: ${s.total} cases, expected at least ${floor}`);
  }
  assert.deepEqual(Object.keys(tally).sort(), Object.keys(FLOORS).sort());
  assert.equal(tally.run.notApplicable, 9);
});

test('experiments.json: the browser assigns every profile as the C++ core does', async (t) => {
  const X = loadExperiments();
  const doc = loadCases('experiments.json');
  assert.ok(doc.cases.length >= 30);
  for (const c of doc.cases) {
    await t.test(c.name, () => {
      const a = X.assign(c.experiment, c.attributes, c.now);
      for (const [k, v] of Object.entries(c.expect)) assert.deepStrictEqual(a[k], v, `field ${k}`);
    });
  }
  for (const b of doc.bulk) {
    await t.test(`bulk: ${b.name}`, () => {
      const got = b.ids.map((id) => {
        const a = X.assign(b.experiment, { ...b.attributes, id }, b.now);
        return a.holdout ? 'h' : a.inExperiment ? String(a.variationId) : '-';
      }).join('');
      assert.equal(got, b.expect);
    });
  }
});

test('a condition that cannot be evaluated is false, never a throw', () => {
  const X = loadExperiments();
  const views = { id: 'p_1', segment: 'champions', stage: 'loyal', locale: 'en-GB', tags: ['tea'] };
  for (const c of [1, 'x', null, [], { $or: { stage: 'loyal' } }, { $and: 'x' }, { $not: 'x' },
    { locale: { $regex: '(' } }, { locale: { $regex: 5 } }, { locale: { $unknown: 1 } }, { tags: { $elemMatch: 'tea' } }])
    assert.equal(X.evalCondition(views, c), false, JSON.stringify(c));
  assert.equal(X.evalCondition(views, {}), true);
  assert.equal(X.evalCondition(views, { 'tags.0': 'tea', 'tags.length': null }), true);  // arrays: indices only
  assert.equal(X.evalCondition(views, { locale: { $regex: '^en(-|$)' }, stage: { $in: ['loyal', 'at_risk'] } }), true);
});
