// docs/api.yaml against the real binary: every operation of the spec is called (its success
// cases and its main error cases), and each real answer is checked against the spec: the status
// is declared for that operation, the content type is one the spec lists for that status, and a
// JSON body (each line of an NDJSON one) validates against the declared schema, $refs resolved
// (js-yaml reads the spec, Ajv validates; OpenAPI 3.0 `nullable` is Ajv's own keyword). Every
// answer must also carry X-Request-Id. The last test fails if an operation was never called.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('js-yaml');
const Ajv = require('ajv');
const { startServer } = require('../browser/harness');

const specPath = process.env.ASHNA_API_SPEC || path.join(__dirname, '..', '..', 'docs', 'api.yaml');
const spec = yaml.load(fs.readFileSync(specPath, 'utf8'));

// Every local $ref ('#/components/...') is made absolute ('api#/components/...') so a schema
// compiled on its own (one response's) resolves into the spec's components.
function absolute(node) {
  if (Array.isArray(node)) return node.map(absolute);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? 'api' + v : absolute(v);
    return out;
  }
  return node;
}
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'api', components: absolute(spec.components) });
const validators = new Map();
function validator(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(absolute(schema)));
  return validators.get(key);
}
// A '#/a/b' reference inside the spec (responses, parameters).
function deref(node) {
  while (node && node.$ref) node = node.$ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  return node;
}

// Which (operation, status) pairs were seen: the coverage check at the end reads it.
const seen = new Map();
const opIds = [];
for (const [p, item] of Object.entries(spec.paths))
  for (const [m, op] of Object.entries(item)) if (op && op.operationId) opIds.push({ id: op.operationId, path: p, method: m });

// Checks one real answer against the operation `method path` of the spec; returns the parsed
// body (JSON, an array of NDJSON lines, or the text).
// `early`: an answer the connection layer gives before any route (431, 413 for the body limit,
// 400 for malformed HTTP): it has no X-Request-Id (and no log line). A method the path does not
// have is checked against the 405 its operations declare.
function conforms(method, pathTemplate, res, text, early = false) {
  const item = spec.paths[pathTemplate] ?? {};
  const op = item[method] ?? (res.status === 405 ? Object.values(item).find((o) => o?.responses?.['405']) : undefined);
  assert.ok(op, `the spec has no operation ${method.toUpperCase()} ${pathTemplate}`);
  const where = `${op.operationId} ${res.status}`;
  const declared = op.responses[String(res.status)] ?? op.responses.default;
  assert.ok(declared !== undefined, `${where}: status ${res.status} is not declared (body: ${text.slice(0, 300)})`);
  const response = deref(declared) ?? {};
  if (!seen.has(op.operationId)) seen.set(op.operationId, new Set());
  seen.get(op.operationId).add(res.status);
  if (!early) assert.ok(res.headers.get('x-request-id'), `${where}: no X-Request-Id`);
  if (!response.content) {
    assert.equal(text, '', `${where}: the spec declares no body, the server sent one`);
    return text;
  }
  const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  const media = response.content[type];
  assert.ok(media, `${where}: content type '${type}' is not among ${Object.keys(response.content).join(', ')}`);
  if (!media.schema) return text;
  const check = (value, what) => {
    const v = validator(media.schema);
    assert.ok(v(value), `${where}${what}: body does not match the schema:\n${ajv.errorsText(v.errors, { separator: '\n' })}\n` +
      `body: ${JSON.stringify(value).slice(0, 600)}`);
  };
  if (type === 'application/json') {
    const body = JSON.parse(text);
    check(body, '');
    return body;
  }
  if (type === 'application/x-ndjson') {
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    lines.forEach((l, i) => check(l, ` line ${i + 1}`));
    return lines;
  }
  if (media.schema.type === 'string') assert.equal(typeof text, 'string');
  return text;
}

let server;
let base;
const SK = { Authorization: 'Bearer sk_demo' };

// Calls the server and checks the answer against `method pathTemplate`; returns {status, headers, body}.
async function call(method, pathTemplate, url, { headers = {}, body, json, early } = {}) {
  const init = { method: method.toUpperCase(), headers: { ...headers }, redirect: 'manual' };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(base + url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: conforms(method, pathTemplate, res, text, early) };
}

const T0 = 1790000000000;
const token = (n) => `t_openapi_device_${String(n).padStart(4, '0')}`;
function delta(profile, upto, events = [], traits = {}) {
  return { profile, replica: 'r_' + profile, upto, events, traits };
}
const syncBody = (n, profile, d, extra = {}) => ({ v: 1, key: 'pk_demo', token: token(n), delta: d, ...extra });
const proof = (user) => crypto.createHmac('sha256', 'is_demo').update(user).digest('hex');
const purchase = (id, ts, price) => ({ id, type: 'purchase', ts, channel: 'web',
  lines: [{ id: 'kenya-aa', title: 'Kenya AA', category: 'coffee/single-origin', price, qty: 1 }], currency: 'EUR' });
const experiment = { key: 'greet-test', slot: 'greeting', variations: [{ template: 'a' }, { template: 'b' }], weights: [0.5, 0.5], hashVersion: 2 };

test.before(async () => {
  server = await startServer();
  base = server.base;
});
test.after(async () => { await server?.stop(); });

test('POST /v1/sync and its preflight', async () => {
  const r = await call('post', '/v1/sync', '/v1/sync', { json: syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3, [
    { id: 'e1', type: 'page_view', ts: T0, channel: 'web', path: '/products/kenya-aa.html', props: { title: 'Kenya AA' } },
    { id: 'e2', type: 'product_view', ts: T0 + 1, channel: 'web', item: { id: 'kenya-aa', title: 'Kenya AA', category: 'coffee/single-origin', price: 16 } },
    purchase('e3', T0 + 2, 16),
  ], { name: { value: 'Ana', ts: T0, replica: 'r_a_openapi_1' } }), {
    consent: [{ ts: T0, personalisation: true, analytics: true, marketing: false, source: 'banner', policy: '2026-09' }],
  }) });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.accepted, { events: 3, traits: 1, consent: 1 });
  // A second device of another profile, then the first device again: `down` has what it lacks.
  assert.equal((await call('post', '/v1/sync', '/v1/sync', { json: syncBody(2, 'a_openapi_2', delta('a_openapi_2', 1, [purchase('f1', T0 + 5, 9.5)])) })).status, 200);
  const again = await call('post', '/v1/sync', '/v1/sync', { headers: { Origin: 'https://shop.example' },
    json: syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3), { since: 0 }) });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('access-control-allow-origin'), 'https://shop.example');
  // text/plain (sendBeacon) is the same protocol.
  assert.equal((await call('post', '/v1/sync', '/v1/sync', { headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify(syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3))) })).status, 200);

  const pre = await call('options', '/v1/sync', '/v1/sync', { headers: { Origin: 'https://shop.example' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-methods'), 'POST');

  const errors = [
    [400, 'malformed_json', { body: '{"v":1,', headers: { 'Content-Type': 'application/json' } }],
    [400, 'unsupported_version', { json: { ...syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3)), v: 9 } }],
    [400, 'unknown_field', { json: { ...syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3)), colour: 1 } }],
    [400, 'invalid_field', { json: { v: 1, key: 'pk_demo', token: 'short', delta: delta('a_openapi_1', 3) } }],
    [400, 'invalid_event', { json: syncBody(1, 'a_openapi_1', delta('a_openapi_1', 4, [{ id: 'x', type: 'page_view', ts: 5 }])) }],
    [401, 'missing_key', { json: { v: 1, token: token(1), delta: delta('a_openapi_1', 3) } }],
    [401, 'invalid_key', { json: { ...syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3)), key: 'pk_nobody' } }],
    [403, 'token_mismatch', { json: syncBody(2, 'a_openapi_1', delta('a_openapi_1', 3)) }],
    [413, 'too_many_events', { json: syncBody(1, 'a_openapi_1', delta('a_openapi_1', 3,
      Array.from({ length: 501 }, (_, i) => ({ id: 'm' + i, type: 'page_view', ts: T0 })))) }],
    [415, 'unsupported_media_type', { body: '{}', headers: { 'Content-Type': 'application/xml' } }],
  ];
  for (const [status, code, opts] of errors) {
    const e = await call('post', '/v1/sync', '/v1/sync', opts);
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  const big = await call('post', '/v1/sync', '/v1/sync', { body: 'x'.repeat(300000), headers: { 'Content-Type': 'application/json' }, early: true });
  assert.deepEqual([big.status, big.body.error.code], [413, 'payload_too_large']);
  const headers = await call('post', '/v1/sync', '/v1/sync', { json: {}, headers: { 'X-Big': 'a'.repeat(20000) }, early: true });
  assert.deepEqual([headers.status, headers.body.error.code], [431, 'headers_too_large']);
  const wrong = await call('get', '/v1/sync', '/v1/sync');
  assert.deepEqual([wrong.status, wrong.body.error.code], [405, 'method_not_allowed']);
  assert.equal(wrong.headers.get('allow'), 'POST');
});

test('POST /v1/identify and its preflight', async () => {
  await call('post', '/v1/sync', '/v1/sync', { json: syncBody(3, 'a_openapi_3', delta('a_openapi_3', 1, [purchase('g1', T0 + 9, 12.5)])) });
  const id = (n, profile, user, p = proof(user)) => ({ v: 1, key: 'pk_demo', token: token(n), profile, user, proof: p });
  const first = await call('post', '/v1/identify', '/v1/identify', { json: id(1, 'a_openapi_1', 'cust-1') });
  assert.deepEqual([first.status, first.body.profile], [200, 'a_openapi_1']);
  const merged = await call('post', '/v1/identify', '/v1/identify', { json: id(3, 'a_openapi_3', 'cust-1') });
  assert.deepEqual([merged.status, merged.body.profile], [200, 'a_openapi_1']);
  const pre = await call('options', '/v1/identify', '/v1/identify', { headers: { Origin: 'https://shop.example' } });
  assert.equal(pre.status, 204);
  for (const [status, code, json] of [
    [400, 'invalid_field', id(2, 'a_openapi_2', 'cust-2', 'abc')],
    [400, 'unknown_field', { ...id(2, 'a_openapi_2', 'cust-2'), extra: true }],
    [401, 'invalid_key', { ...id(2, 'a_openapi_2', 'cust-2'), key: 'pk_nobody' }],
    [403, 'invalid_proof', id(2, 'a_openapi_2', 'cust-2', proof('someone-else'))],
    [403, 'token_mismatch', id(2, 'a_openapi_1', 'cust-2')],
  ]) {
    const e = await call('post', '/v1/identify', '/v1/identify', { json });
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  const e = await call('post', '/v1/identify', '/v1/identify', { body: 'x', headers: { 'Content-Type': 'image/png' } });
  assert.deepEqual([e.status, e.body.error.code], [415, 'unsupported_media_type']);
  assert.equal((await call('put', '/v1/identify', '/v1/identify', { json: {} })).status, 405);
});

test('GET /v1/model, 304 and its preflight', async () => {
  const r = await call('get', '/v1/model', '/v1/model?key=pk_demo', { headers: { Origin: 'https://shop.example' } });
  assert.equal(r.status, 200);
  const etag = r.headers.get('etag');
  assert.ok(etag);
  const cached = await call('get', '/v1/model', '/v1/model?key=pk_demo', { headers: { 'If-None-Match': etag } });
  assert.equal(cached.status, 304);
  assert.equal((await call('options', '/v1/model', '/v1/model', { headers: { Origin: 'https://shop.example' } })).status, 204);
  for (const [status, code, url] of [[401, 'missing_key', '/v1/model'], [401, 'invalid_key', '/v1/model?key=pk_nobody'],
    [400, 'invalid_field', '/v1/model?key=%zz']]) {
    const e = await call('get', '/v1/model', url);
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  assert.equal((await call('post', '/v1/model', '/v1/model?key=pk_demo', { json: {} })).status, 405);
});

test('experiments: put, list, model, report, delete', async () => {
  const put = await call('put', '/v1/experiments/{key}', '/v1/experiments/greet-test', { headers: SK, json: experiment });
  assert.deepEqual([put.status, put.body], [200, { key: 'greet-test', stored: true }]);
  const list = await call('get', '/v1/experiments', '/v1/experiments', { headers: SK });
  assert.equal(list.body.experiments.length, 1);
  const model = await call('get', '/v1/model', '/v1/model?key=pk_demo');
  assert.equal(model.body.experiments.length, 1);
  // Exposures and a conversion, so the report has visitors.
  await call('post', '/v1/sync', '/v1/sync', { json: syncBody(4, 'a_openapi_4', delta('a_openapi_4', 2, [
    { id: 'x1', type: 'exposure', ts: T0 + 100, channel: 'web', props: { experiment: 'greet-test', variation: 1 } },
    purchase('x2', T0 + 200, 20)])) });
  const report = await call('get', '/v1/experiments/{key}/report', '/v1/experiments/greet-test/report?window_days=7&conversion=purchase', { headers: SK });
  assert.equal(report.status, 200);
  assert.equal(report.body.visitors, 1);
  for (const [status, code, url] of [[400, 'invalid_field', '/v1/experiments/greet-test/report?window_days=0'],
    [400, 'invalid_field', '/v1/experiments/greet-test/report?conversion=sale'],
    [404, 'not_found', '/v1/experiments/nothing/report'], [401, 'missing_key', '/v1/experiments/greet-test/report']]) {
    const e = await call('get', '/v1/experiments/{key}/report', url, { headers: code === 'missing_key' ? {} : SK });
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  assert.equal((await call('post', '/v1/experiments/{key}/report', '/v1/experiments/greet-test/report', { headers: SK, json: {} })).status, 405);

  for (const [status, code, url, opts] of [
    [400, 'invalid_field', '/v1/experiments/other', { json: experiment }],
    [400, 'unknown_field', '/v1/experiments/greet-test', { json: { ...experiment, colour: 'red' } }],
    [400, 'malformed_json', '/v1/experiments/greet-test', { body: '{', headers: { 'Content-Type': 'application/json' } }],
    [415, 'unsupported_media_type', '/v1/experiments/greet-test', { body: '{}', headers: { 'Content-Type': 'text/csv' } }],
  ]) {
    const e = await call('put', '/v1/experiments/{key}', url, { ...opts, headers: { ...SK, ...opts.headers } });
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  const e401 = await call('put', '/v1/experiments/{key}', '/v1/experiments/greet-test', { json: experiment });
  assert.equal(e401.status, 401);
  const e405 = await call('post', '/v1/experiments/{key}', '/v1/experiments/greet-test', { headers: SK, json: experiment });
  assert.equal(e405.status, 405);
  assert.equal((await call('post', '/v1/experiments', '/v1/experiments', { headers: SK, json: {} })).status, 405);
  assert.equal((await call('get', '/v1/experiments', '/v1/experiments')).status, 401);

  const del = await call('delete', '/v1/experiments/{key}', '/v1/experiments/greet-test', { headers: SK });
  assert.deepEqual([del.status, del.body], [200, { key: 'greet-test', deleted: true }]);
  const gone = await call('delete', '/v1/experiments/{key}', '/v1/experiments/greet-test', { headers: SK });
  assert.deepEqual([gone.status, gone.body.error.code], [404, 'not_found']);
  const bad = await call('delete', '/v1/experiments/{key}', '/v1/experiments/' + 'k'.repeat(200), { headers: SK });
  assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_field']);
});

test('backend reads: profile, consent, list, stats, export', async () => {
  const p = await call('get', '/v1/profiles/{id}', '/v1/profiles/a_openapi_1', { headers: SK });
  assert.equal(p.status, 200);
  assert.ok(p.body.events.length >= 4);
  // A merged id resolves to the customer's profile.
  assert.equal((await call('get', '/v1/profiles/{id}', '/v1/profiles/a_openapi_3', { headers: SK })).body.id, 'a_openapi_1');
  const c = await call('get', '/v1/profiles/{id}/consent', '/v1/profiles/a_openapi_1/consent', { headers: SK });
  assert.equal(c.body.consent.length, 1);
  for (const [tpl, suffix] of [['/v1/profiles/{id}', ''], ['/v1/profiles/{id}/consent', '/consent']]) {
    assert.equal((await call('get', tpl, `/v1/profiles/a_nobody${suffix}`, { headers: SK })).body.error.code, 'not_found');
    assert.equal((await call('get', tpl, `/v1/profiles/a_openapi_1${suffix}`)).body.error.code, 'missing_key');
    assert.equal((await call('get', tpl, `/v1/profiles/a_openapi_1${suffix}`, { headers: { Authorization: 'Bearer pk_demo' } })).body.error.code, 'invalid_key');
    assert.equal((await call('get', tpl, `/v1/profiles/a%zz${suffix}`, { headers: SK })).status, 400);
  }
  assert.equal((await call('post', '/v1/profiles/{id}', '/v1/profiles/a_openapi_1', { headers: SK, json: {} })).status, 405);
  assert.equal((await call('post', '/v1/profiles/{id}/consent', '/v1/profiles/a_openapi_1/consent', { headers: SK, json: {} })).status, 405);

  const list = await call('get', '/v1/profiles', '/v1/profiles?limit=2', { headers: SK });
  assert.equal(list.status, 200);
  assert.equal(list.body.profiles.length, 2);
  const next = await call('get', '/v1/profiles', `/v1/profiles?limit=2&after=${list.body.next}&segment=champions,new,none`, { headers: SK });
  assert.equal(next.status, 200);
  for (const q of ['segment=best', 'stage=x', 'tier=top', 'max_p_alive=2', 'min_clv=-1', 'inactive_days=x', 'limit=0', 'after=%20x'])
    assert.deepEqual(Object.keys((await call('get', '/v1/profiles', `/v1/profiles?${q}`, { headers: SK })).body), ['error'], q);
  assert.equal((await call('get', '/v1/profiles', '/v1/profiles?limit=0', { headers: SK })).status, 400);
  assert.equal((await call('get', '/v1/profiles', '/v1/profiles')).status, 401);
  assert.equal((await call('delete', '/v1/profiles', '/v1/profiles', { headers: SK })).status, 405);

  const stats = await call('get', '/v1/stats', '/v1/stats', { headers: SK });
  assert.equal(stats.status, 200);
  assert.equal((await call('get', '/v1/stats', '/v1/stats')).status, 401);
  assert.equal((await call('post', '/v1/stats', '/v1/stats', { headers: SK, json: {} })).status, 405);

  const exp = await call('get', '/v1/export', '/v1/export', { headers: SK });
  assert.equal(exp.status, 200);
  assert.ok(exp.body.length >= 3, 'one line per profile');
  assert.equal((await call('get', '/v1/export', '/v1/export')).status, 401);
  assert.equal((await call('post', '/v1/export', '/v1/export', { headers: SK, json: {} })).status, 405);
});

test('POST /v1/events', async () => {
  const ok = await call('post', '/v1/events', '/v1/events', { headers: SK, json: { events: [
    { customer: 'cust-1', event: purchase('pos-1', T0 + 1000, 30) },
    { customer: 'cust-new', event: { id: 'esp-1', type: 'email_open', ts: T0 + 1001, channel: 'email' } },
    { profile: 'a_openapi_2', event: { id: 'call-1', type: 'click', ts: T0 + 1002, channel: 'phone' } },
  ] } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.added, 3);
  for (const [status, code, opts] of [
    [400, 'invalid_field', { json: { events: [{ customer: 'a', profile: 'a_openapi_2', event: purchase('z', T0, 1) }] } }],
    [400, 'malformed_json', { body: '[', headers: { 'Content-Type': 'application/json' } }],
    [404, 'not_found', { json: { events: [{ profile: 'a_nobody', event: purchase('z', T0, 1) }] } }],
    [415, 'unsupported_media_type', { body: '{}', headers: { 'Content-Type': 'text/plain' } }],
  ]) {
    const e = await call('post', '/v1/events', '/v1/events', { ...opts, headers: { ...SK, ...opts.headers } });
    assert.deepEqual([e.status, e.body.error.code], [status, code]);
  }
  const many = await call('post', '/v1/events', '/v1/events', { headers: SK, json: { events:
    Array.from({ length: 501 }, (_, i) => ({ customer: 'c', event: { id: 'b' + i, type: 'click', ts: T0, channel: 'email' } })) } });
  assert.equal(many.status, 413);
  assert.equal((await call('post', '/v1/events', '/v1/events', { json: { events: [] } })).status, 401);
  assert.equal((await call('get', '/v1/events', '/v1/events', { headers: SK })).status, 405);
});

test('GET /v1/changes: page, long-poll, SSE, errors', async () => {
  const page = await call('get', '/v1/changes', '/v1/changes?after=0&limit=1000', { headers: SK });
  assert.equal(page.status, 200);
  assert.ok(page.body.changes.length >= 5);
  const kinds = new Set(page.body.changes.map((c) => Object.keys(c.change)[0]));
  for (const k of ['profile', 'identified', 'merged']) assert.ok(kinds.has(k), `the feed has a ${k} entry`);
  const idle = await call('get', '/v1/changes', `/v1/changes?after=${page.body.next}&wait=1`, { headers: SK });
  assert.deepEqual([idle.status, idle.body.changes, idle.body.next], [200, [], page.body.next]);
  // SSE: the head and the first events, then the client goes away.
  const ctl = new AbortController();
  const res = await fetch(base + '/v1/changes?after=0', { headers: { ...SK, Accept: 'text/event-stream' }, signal: ctl.signal });
  assert.equal(res.status, 200);
  const op = spec.paths['/v1/changes'].get;
  const type = res.headers.get('content-type').split(';')[0];
  assert.ok(op.responses['200'].content[type], `SSE content type ${type} is declared`);
  assert.ok(res.headers.get('x-request-id'));
  const reader = res.body.getReader();
  let got = '';
  while (!/\nid: \d+\n/.test(got)) got += new TextDecoder().decode((await reader.read()).value);
  ctl.abort();
  assert.match(got, /^retry: 1000\n/);
  seen.get('getChanges').add(200);
  for (const q of ['wait=31', 'limit=0', 'after=-1'])
    assert.equal((await call('get', '/v1/changes', `/v1/changes?${q}`, { headers: SK })).body.error.code, 'invalid_field', q);
  assert.equal((await call('get', '/v1/changes', '/v1/changes')).status, 401);
  assert.equal((await call('post', '/v1/changes', '/v1/changes', { headers: SK, json: {} })).status, 405);
});

test('DELETE /v1/profiles/{id}', async () => {
  const e = await call('delete', '/v1/profiles/{id}', '/v1/profiles/a_openapi_2', { headers: SK });
  assert.equal(e.status, 200);
  assert.equal(e.body.id, 'a_openapi_2');
  assert.equal((await call('delete', '/v1/profiles/{id}', '/v1/profiles/a_nobody', { headers: SK })).status, 404);
  assert.equal((await call('delete', '/v1/profiles/{id}', '/v1/profiles/a_openapi_2')).status, 401);
  const after = await call('get', '/v1/changes', '/v1/changes?after=0&limit=1000', { headers: SK });
  assert.ok(after.body.changes.some((c) => c.change.erased !== undefined));
  assert.ok(after.body.changes.some((c) => c.change.redacted === 'erased'));
  const p = await call('get', '/v1/profiles/{id}', '/v1/profiles/a_openapi_2', { headers: SK });
  assert.equal(p.body.erased, e.body.erased);
});

test('operations and dashboard: /healthz, /metrics, /dashboard/', async () => {
  assert.deepEqual((await call('get', '/healthz', '/healthz')).body, { status: 'ok' });
  assert.equal((await call('post', '/healthz', '/healthz', { json: {} })).status, 405);
  const m = await call('get', '/metrics', '/metrics');
  assert.match(m.body, /^ashna_store_commits_total \d+$/m);
  assert.equal((await call('post', '/metrics', '/metrics', { json: {} })).status, 405);
  const d = await call('get', '/dashboard/', '/dashboard/');
  assert.equal(d.status, 200);
  assert.match(d.body, /<html/i);
  assert.equal((await call('get', '/dashboard/', '/dashboard/', { headers: { 'If-None-Match': d.headers.get('etag') } })).status, 304);
  assert.equal((await call('get', '/dashboard/', '/dashboard/secret.txt')).status, 404);
  assert.equal((await call('post', '/dashboard/', '/dashboard/', { json: {} })).status, 405);
});

test('every operation of docs/api.yaml was called', () => {
  const missing = opIds.filter((o) => !seen.has(o.id)).map((o) => `${o.method.toUpperCase()} ${o.path} (${o.id})`);
  assert.deepEqual(missing, []);
  const summary = opIds.map((o) => `${o.id} ${[...seen.get(o.id)].sort().join(',')}`);
  console.log(`# ${opIds.length} operations, statuses seen:\n# ${summary.join('\n# ')}`);
});
