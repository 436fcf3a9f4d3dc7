// Access control (issue 10) against the real ashna-server binary: device tokens, publishable vs
// secret keys, one site's secret key against another site's data, forged identity proofs, and the
// origin allowlist. Every refusal asserts the exact status and error code and that nothing
// changed (change feeds, the profiles involved). Sites B and C are made with `ashna-server site
// create` on the running server's database.
//
// Cases that fail because the server is wrong are kept asserting the right behaviour and are
// marked { todo: 'BUG: ...' }.
'use strict';
const nodeTest = require('node:test');
// Every test is bounded in time (20 s unless it says otherwise).
const test = (name, opts, fn) => (typeof opts === 'function'
  ? nodeTest(name, { timeout: 20000 }, opts)
  : nodeTest(name, { timeout: 20000, ...opts }, fn));
test.before = nodeTest.before;
test.after = nodeTest.after;
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer } = require('../browser/harness');

const root = path.join(__dirname, '..', '..');
const serverBin = process.env.ASHNA_SERVER || path.join(root, 'build', 'native', 'server', 'ashna-server');
const TS = 1790000000000;
const A = { pk: 'pk_demo', sk: 'sk_demo', is: 'is_demo' };
let B;  // a second site, any origin
let C;  // a site that allows only https://shop.example
let server;
let n = 0;
const token = () => `t_access_${process.pid}_${++n}_0123456789`;
const hmac = (secret, user) => crypto.createHmac('sha256', secret).update(user).digest('hex');

function createSite(name, origins = []) {
  const out = execFileSync(serverBin, ['site', 'create', '--name', name, '--db', server.db,
    ...origins.flatMap((o) => ['--origin', o])], { encoding: 'utf8', timeout: 10000 });
  const key = (label) => new RegExp(`${label}:\\s+(\\S+)`).exec(out)[1];
  return { pk: key('publishable key'), sk: key('secret key'), is: key('identity secret') };
}

async function request(method, pathname, { body, type, key, headers = {} } = {}) {
  const h = { ...headers };
  if (type) h['Content-Type'] = type;
  if (key) h.Authorization = `Bearer ${key}`;
  const res = await fetch(`${server.base}${pathname}`, { method, headers: h, body });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}
const post = (p, obj, headers) => request('POST', p, { body: JSON.stringify(obj), type: 'application/json', headers });

function assertError(res, status, code, message) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.deepEqual(Object.keys(res.json), ['error']);
  assert.equal(res.json.error.code, code, res.text);
  if (message instanceof RegExp) assert.match(res.json.error.message, message);
  else if (message !== undefined) assert.equal(res.json.error.message, message);
  assert.equal(res.headers.get('content-type'), 'application/json');
}

// A sync of `events` (ids) to `profile`.
const syncBody = (site, tok, profile, events = [], extra = {}) => ({
  v: 1, key: site.pk, token: tok,
  delta: { profile, replica: 'r_' + tok.slice(-6), upto: events.length, events: events.map((id, i) => ({ id, type: 'page_view', ts: TS + i })), ...extra.delta },
  ...extra.envelope,
});
async function seed(site, profile, ids) {
  const tok = token();
  const r = await post('/v1/sync', {
    ...syncBody(site, tok, profile, ids),
    delta: { ...syncBody(site, tok, profile, ids).delta, traits: { name: { value: `name of ${profile}`, ts: TS, replica: 'r_seed' } } },
  });
  assert.equal(r.status, 200, r.text);
  return tok;
}

// ---- "nothing changed" ---------------------------------------------------------------------

async function feed(sk) {
  const all = [];
  let after = 0;
  for (;;) {
    const r = await request('GET', `/v1/changes?after=${after}&limit=1000`, { key: sk });
    assert.equal(r.status, 200, r.text);
    if (r.json.changes.length === 0) return { seq: after, text: JSON.stringify(all), changes: all };
    all.push(...r.json.changes);
    after = r.json.next;
  }
}
async function stored(sk, id) {
  const r = await request('GET', `/v1/profiles/${encodeURIComponent(id)}`, { key: sk });
  if (r.status !== 200) return { status: r.status, code: r.json?.error?.code };
  const { views, ...rest } = r.json;
  return { status: 200, body: rest };
}
// profiles: [[site, id], ...]
async function snapshot(profiles) {
  const out = { seqs: {}, profiles: [] };
  for (const site of [A, B, C]) out.seqs[site.pk] = (await feed(site.sk)).seq;
  for (const [site, id] of profiles) out.profiles.push(await stored(site.sk, id));
  return out;
}
async function unchanged(profiles, fn) {
  const before = await snapshot(profiles);
  await fn();
  const health = await request('GET', '/healthz');
  assert.equal(health.status, 200);
  const after = await snapshot(profiles);
  assert.deepEqual(after.profiles, before.profiles, 'the profiles are as before');
  assert.deepEqual(after.seqs, before.seqs, 'no new change in any feed');
}

test.before(async () => {
  server = await startServer();
  B = createSite('Site B');
  C = createSite('Shop C', ['https://shop.example']);
});
test.after(async () => { await server?.stop(); });

// ---- device tokens -----------------------------------------------------------------------------

let tokA, tokB;
test('setup: two devices, each with its own profile', async () => {
  tokA = await seed(A, 'dev_a', ['a-e1', 'a-e2']);
  tokB = await seed(A, 'dev_b', ['b-e1', 'b-e2']);
  assert.equal((await stored(A.sk, 'dev_b')).body.events.length, 2);
});

test("a device token cannot write another device's profile (403 token_mismatch)", () =>
  unchanged([[A, 'dev_a'], [A, 'dev_b']], async () => {
    const r = await post('/v1/sync', { ...syncBody(A, tokA, 'dev_b', ['intruder-e1']),
      delta: { ...syncBody(A, tokA, 'dev_b', ['intruder-e1']).delta, traits: { name: { value: 'pwned', ts: TS + 999999, replica: 'rx' } } } });
    assertError(r, 403, 'token_mismatch', 'this device token belongs to another profile');
  }));

test("a device token cannot read another device's profile: no down data in the refusal", () =>
  unchanged([[A, 'dev_b']], async () => {
    const r = await post('/v1/sync', { ...syncBody(A, tokA, 'dev_b'), since: 0 });
    assertError(r, 403, 'token_mismatch', 'this device token belongs to another profile');
    assert.ok(!r.text.includes('b-e1') && !r.text.includes('name of dev_b'));
  }));

test("a device token cannot erase another device's profile", () =>
  unchanged([[A, 'dev_b']], async () => {
    const r = await post('/v1/sync', { ...syncBody(A, tokA, 'dev_b'), delta: { ...syncBody(A, tokA, 'dev_b').delta, erased: TS + 5000 } });
    assertError(r, 403, 'token_mismatch', 'this device token belongs to another profile');
    assert.equal((await stored(A.sk, 'dev_b')).body.erased, undefined);
  }));

test('a new token cannot take over a bound profile, and is not bound by the attempt', async () => {
  const fresh = token();
  await unchanged([[A, 'dev_b']], async () => {
    const r = await post('/v1/sync', syncBody(A, fresh, 'dev_b', ['takeover-e1']));
    assertError(r, 403, 'token_mismatch', "profile 'dev_b' is bound to another device token");
  });
  // The refused token is still free: it can make its own profile.
  const own = await post('/v1/sync', syncBody(A, fresh, 'dev_fresh', ['f-e1']));
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.version, 1);
});

test("identify with another device's profile is 403 token_mismatch and merges nothing", () =>
  unchanged([[A, 'dev_a'], [A, 'dev_b']], async () => {
    const r = await post('/v1/identify', { v: 1, key: A.pk, token: tokA, profile: 'dev_b', user: 'cust-steal', proof: hmac(A.is, 'cust-steal') });
    assertError(r, 403, 'token_mismatch', "this device token is not bound to profile 'dev_b'");
  }));

// ---- publishable keys on backend routes ---------------------------------------------------------

const backend = [
  ['GET', '/v1/profiles/dev_a'],
  ['DELETE', '/v1/profiles/dev_a'],
  ['GET', '/v1/profiles/dev_a/consent'],
  ['GET', '/v1/changes'],
  ['GET', '/v1/changes?after=0&wait=1'],
  ['GET', '/v1/export'],
  ['POST', '/v1/events'],
  ['GET', '/v1/stats'],
  ['GET', '/v1/profiles'],
];
const ingestBody = JSON.stringify({ events: [{ profile: 'dev_a', event: { id: 'pk-ingest', type: 'page_view', ts: TS } }] });
for (const [method, p] of backend) {
  test(`a publishable key on ${method} ${p} is 401 invalid_key`, () =>
    unchanged([[A, 'dev_a']], async () => {
      for (const pk of [A.pk, B.pk, C.pk]) {
        const r = await request(method, p, { key: pk, body: method === 'POST' ? ingestBody : undefined, type: method === 'POST' ? 'application/json' : undefined });
        assertError(r, 401, 'invalid_key', 'this is a publishable key; backend endpoints need a secret key');
        assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      }
      // The identity secret is not a secret key either, nor is a key in the query.
      const is = await request(method, p, { key: A.is, body: method === 'POST' ? ingestBody : undefined, type: method === 'POST' ? 'application/json' : undefined });
      assertError(is, 401, 'invalid_key', 'no site has this secret key');
      const q = await request(method, p + (p.includes('?') ? '&' : '?') + 'key=sk_demo');
      assertError(q, 401, 'missing_key', "send the site's secret key as 'Authorization: Bearer sk_...'");
      assert.equal(q.headers.get('www-authenticate'), 'Bearer');
      const basic = await request(method, p, { headers: { Authorization: `Basic ${Buffer.from('sk_demo:').toString('base64')}` } });
      assertError(basic, 401, 'missing_key');
    }));
}

// ---- one site's secret key against another site's data ------------------------------------------

test('setup: site B has a profile, and a profile with the same id as one of site A', async () => {
  await seed(B, 'b_only', ['B-secret-event-1', 'B-secret-event-2']);
  await seed(B, 'shared_id', ['B-shared-event']);
  await seed(A, 'shared_id', ['A-shared-event']);
  assert.equal((await stored(B.sk, 'b_only')).status, 200);
});

test("site A's secret key cannot read site B's profile or its consent (404)", () =>
  unchanged([[B, 'b_only']], async () => {
    assertError(await request('GET', '/v1/profiles/b_only', { key: A.sk }), 404, 'not_found', 'this site has no profile with that id');
    assertError(await request('GET', '/v1/profiles/b_only/consent', { key: A.sk }), 404, 'not_found', 'this site has no profile with that id');
    assertError(await request('GET', '/v1/profiles/b_only', { key: C.sk }), 404, 'not_found');
  }));

test("site A's secret key cannot erase site B's profile (404, B unchanged)", () =>
  unchanged([[B, 'b_only'], [B, 'shared_id']], async () => {
    assertError(await request('DELETE', '/v1/profiles/b_only', { key: A.sk }), 404, 'not_found', 'this site has no profile with that id');
  }));

test('the same profile id on two sites: each secret key sees only its own', async () => {
  const a = await stored(A.sk, 'shared_id');
  const b = await stored(B.sk, 'shared_id');
  assert.deepEqual(a.body.events.map((e) => e.id), ['A-shared-event']);
  assert.deepEqual(b.body.events.map((e) => e.id), ['B-shared-event']);
  // Erasing A's does not touch B's.
  const del = await request('DELETE', '/v1/profiles/shared_id', { key: A.sk });
  assert.equal(del.status, 200, del.text);
  assert.deepEqual((await stored(B.sk, 'shared_id')).body.events.map((e) => e.id), ['B-shared-event']);
});

test("site A's change feed, export and listing never carry site B's data", async () => {
  const fa = await feed(A.sk);
  const fb = await feed(B.sk);
  assert.ok(fb.text.includes('B-secret-event-1'), 'control: B sees its own change');
  assert.ok(!fa.text.includes('B-secret-event') && !fa.text.includes('B-shared-event') && !fa.text.includes('b_only'));
  assert.ok(!fb.text.includes('A-shared-event') && !fb.text.includes('a-e1'));
  const ea = await request('GET', '/v1/export', { key: A.sk });
  assert.equal(ea.status, 200);
  const ids = ea.text.trim().split('\n').map((l) => JSON.parse(l).id);
  assert.ok(ids.includes('dev_a') && !ids.includes('b_only'));
  assert.ok(!ea.text.includes('B-secret-event') && !ea.text.includes('B-shared-event'));
  const eb = await request('GET', '/v1/export', { key: B.sk });
  assert.deepEqual(eb.text.trim().split('\n').map((l) => JSON.parse(l).id).sort(), ['b_only', 'shared_id']);
  const la = await request('GET', '/v1/profiles?limit=500', { key: A.sk });
  assert.equal(la.status, 200, la.text);
  assert.ok(!la.text.includes('b_only'));
  const sb = await request('GET', '/v1/stats', { key: B.sk });
  assert.equal(sb.status, 200);
  assert.equal(sb.json.profiles, 2);
});

test("a long-poll and an SSE stream with site A's key are not woken with site B's changes", async () => {
  const cursor = (await feed(A.sk)).seq;
  const ctrl = new AbortController();
  const res = await fetch(`${server.base}/v1/changes`, { headers: { Authorization: `Bearer ${A.sk}`, Accept: 'text/event-stream', 'Last-Event-ID': String(cursor) }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  let text = '';
  const reading = (async () => {
    try { for await (const c of res.body) text += Buffer.from(c).toString(); } catch (e) { if (e.name !== 'AbortError') throw e; }
  })();
  const t0 = Date.now();
  const poll = request('GET', `/v1/changes?after=${cursor}&wait=2`, { key: A.sk });
  await new Promise((r) => setTimeout(r, 200));
  await seed(B, 'b_live', ['B-live-event']);
  const page = await poll;
  assert.equal(page.status, 200);
  assert.deepEqual(page.json, { changes: [], next: cursor }, "not woken with B's change");
  assert.ok(Date.now() - t0 >= 1800, 'waited for its deadline');
  await seed(A, 'a_live', ['A-live-event']);  // control: A's own change arrives
  const until = Date.now() + 5000;
  while (!text.includes('A-live-event') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  ctrl.abort();
  await reading;
  assert.ok(text.includes('A-live-event'), 'control: the stream delivers A\'s change');
  assert.ok(!text.includes('B-live-event') && !text.includes('b_live'), "the stream never carried B's change");
});

test("site A's secret key cannot ingest into site B's profile (404, nothing stored anywhere)", () =>
  unchanged([[B, 'b_only']], async () => {
    const r = await request('POST', '/v1/events', { key: A.sk, type: 'application/json',
      body: JSON.stringify({ events: [{ profile: 'b_only', event: { id: 'cross-ingest', type: 'page_view', ts: TS } }] }) });
    assertError(r, 404, 'not_found', "events[0].profile: this site has no profile 'b_only'");
  }));

test("a device token of site A used on site B gets none of site A's data", () =>
  unchanged([[A, 'dev_a'], [B, 'dev_a']], async () => {
    // Tokens are bound once, across sites: the token already belongs to a profile.
    const r = await post('/v1/sync', { ...syncBody(B, tokA, 'dev_a'), since: 0 });
    assertError(r, 403, 'token_mismatch', 'this device token belongs to another profile');
    assert.ok(!r.text.includes('a-e1'));
  }));

test("a profile id of site A synced on site B is a separate profile: none of A's events come down", async () => {
  const beforeA = await stored(A.sk, 'dev_a');
  const r = await post('/v1/sync', { ...syncBody(B, token(), 'dev_a', ['b-side-e1']), since: 0 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 1, 'a new profile on site B');
  assert.deepEqual(r.json.down.events, []);
  assert.deepEqual(r.json.down.traits, {});
  assert.deepEqual(await stored(A.sk, 'dev_a'), beforeA);
  assert.deepEqual((await stored(B.sk, 'dev_a')).body.events.map((e) => e.id), ['b-side-e1']);
});

// ---- forged identity proofs --------------------------------------------------------------------

let tokI, customerProfile;
const USER = 'cust-forge-1';
test('setup: an anonymous device profile and a customer profile made by ingest', async () => {
  tokI = await seed(A, 'anon_i', ['i-e1']);
  const r = await request('POST', '/v1/events', { key: A.sk, type: 'application/json',
    body: JSON.stringify({ events: [{ customer: USER, event: { id: 'pos-1', type: 'purchase', ts: TS, lines: [{ id: 'x', price: 5, qty: 1 }] } }] }) });
  assert.equal(r.status, 200, r.text);
  customerProfile = r.json.profiles[0];
  assert.match(customerProfile, /^c_[0-9a-f]{32}$/);
});

const forged = [
  ['a wrong HMAC', () => ({ proof: crypto.randomBytes(32).toString('hex') }), 403, 'invalid_proof'],
  ['the HMAC of another user', () => ({ proof: hmac(A.is, 'cust-other') }), 403, 'invalid_proof'],
  ["a proof made with site B's identity secret", () => ({ proof: hmac(B.is, USER) }), 403, 'invalid_proof'],
  ['a proof made with the secret key', () => ({ proof: hmac(A.sk, USER) }), 403, 'invalid_proof'],
  ['a proof made with the publishable key', () => ({ proof: hmac(A.pk, USER) }), 403, 'invalid_proof'],
  ['a proof made with an empty key', () => ({ proof: hmac('', USER) }), 403, 'invalid_proof'],
  ['SHA-256 of the user (no key)', () => ({ proof: crypto.createHash('sha256').update(USER).digest('hex') }), 403, 'invalid_proof'],
  ['64 zeros', () => ({ proof: '0'.repeat(64) }), 403, 'invalid_proof'],
  ['64 non-hex characters', () => ({ proof: 'z'.repeat(64) }), 403, 'invalid_proof'],
  ['the right proof for the user with a NUL appended', () => ({ user: `${USER}\u0000x`, proof: hmac(A.is, USER) }), 403, 'invalid_proof'],
  ['the right proof for the user with a trailing space', () => ({ user: `${USER} `, proof: hmac(A.is, USER) }), 403, 'invalid_proof'],
  ['the right proof for the user in other case', () => ({ user: USER.toUpperCase(), proof: hmac(A.is, USER) }), 403, 'invalid_proof'],
  ['the right proof, but the first half only', () => ({ proof: hmac(A.is, USER).slice(0, 32) }), 400, 'invalid_field'],
  ['the right proof with a character more', () => ({ proof: hmac(A.is, USER) + '0' }), 400, 'invalid_field'],
  ['the right proof in base64', () => ({ proof: crypto.createHmac('sha256', A.is).update(USER).digest('base64') }), 400, 'invalid_field'],
  ['an empty proof', () => ({ proof: '' }), 400, 'invalid_field'],
  ['no proof', () => ({ proof: undefined }), 400, 'invalid_field'],
  ['a proof that is a number', () => ({ proof: 1 }), 400, 'invalid_field'],
  ['a proof that is an array of the right proof', () => ({ proof: [hmac(A.is, USER)] }), 400, 'invalid_field'],
  ['an empty user with the HMAC of the empty string', () => ({ user: '', proof: hmac(A.is, '') }), 400, 'invalid_field'],
];
for (const [name, over, status, code] of forged) {
  test(`identify with ${name} is ${status} ${code}, and no merge happens`, () =>
    unchanged([[A, 'anon_i'], [A, customerProfile]], async () => {
      const body = { v: 1, key: A.pk, token: tokI, profile: 'anon_i', user: USER, ...over() };
      const r = await post('/v1/identify', body);
      const message = code === 'invalid_proof' ? 'proof: does not match this user id; sign it on your server'
        : body.user === '' ? "user: the customer's id (1 to 256 bytes) is required"
          : "proof: hex HMAC-SHA256 of the user id with the site's identity secret";
      assertError(r, status, code, message);
      assert.equal((await stored(A.sk, 'anon_i')).body.id, 'anon_i', 'not merged');
    }));
}
test("identify on site B with a proof from site A's secret is 403 invalid_proof", () =>
  unchanged([[A, 'anon_i'], [A, customerProfile]], async () => {
    const r = await post('/v1/identify', { v: 1, key: B.pk, token: tokI, profile: 'anon_i', user: USER, proof: hmac(A.is, USER) });
    assertError(r, 403, 'invalid_proof', 'proof: does not match this user id; sign it on your server');
  }));
test('control: the genuine proof merges the device profile into the customer', async () => {
  const r = await post('/v1/identify', { v: 1, key: A.pk, token: tokI, profile: 'anon_i', user: USER, proof: hmac(A.is, USER) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { profile: customerProfile });
  const merged = await stored(A.sk, 'anon_i');
  assert.equal(merged.body.id, customerProfile, 'reads by the old id resolve to the customer');
  assert.deepEqual(merged.body.events.map((e) => e.id).sort(), ['i-e1', 'pos-1']);
});

// ---- origins (CORS) ----------------------------------------------------------------------------

const noCredentials = (r) => assert.equal(r.headers.get('access-control-allow-credentials'), null);
test("a site with --origin refuses a sync from another origin (403 origin_not_allowed), nothing stored", () =>
  unchanged([[C, 'cors_p']], async () => {
    const r = await post('/v1/sync', syncBody(C, token(), 'cors_p', ['cors-e1']), { Origin: 'https://evil.example' });
    assertError(r, 403, 'origin_not_allowed', "origin https://evil.example is not in this site's allowed origins");
    // The refusal carries no data; if it names an origin at all, it is the caller's, never a wildcard.
    const acao = r.headers.get('access-control-allow-origin');
    assert.ok(acao === null || acao === 'https://evil.example', `access-control-allow-origin: ${acao}`);
    noCredentials(r);
  }));

for (const origin of ['https://shop.example.evil.example', 'https://evil.example/https://shop.example', 'http://shop.example',
  'https://shop.example:8443', 'https://shop.example/', 'https://sub.shop.example', 'https://shop.exampl', 'null',
  'https://shop.example https://evil.example', 'https://SHOP.EXAMPLE.evil', 'file://']) {
  test(`origin look-alike ${JSON.stringify(origin)} is refused`, () =>
    unchanged([[C, 'cors_p']], async () => {
      const r = await post('/v1/sync', syncBody(C, token(), 'cors_p', ['cors-e1']), { Origin: origin });
      assertError(r, 403, 'origin_not_allowed', `origin ${origin} is not in this site's allowed origins`);
    }));
}

test('identify from a refused origin is 403 origin_not_allowed', () =>
  unchanged([], async () => {
    const r = await post('/v1/identify', { v: 1, key: C.pk, token: token(), profile: 'cors_p', user: 'u', proof: hmac(C.is, 'u') },
      { Origin: 'https://evil.example' });
    assertError(r, 403, 'origin_not_allowed', "origin https://evil.example is not in this site's allowed origins");
  }));

test('the allowed origin syncs, and the answer echoes exactly that origin', async () => {
  const r = await post('/v1/sync', syncBody(C, token(), 'cors_ok', ['ok-e1']), { Origin: 'https://shop.example' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.match(r.headers.get('vary') ?? '', /Origin/);
  noCredentials(r);
  // A request without Origin (a server, curl) is not restricted (docs/api.yaml).
  const s = await post('/v1/sync', syncBody(C, token(), 'cors_server', ['srv-e1']));
  assert.equal(s.status, 200, s.text);
  assert.equal(s.headers.get('access-control-allow-origin'), null);
});

test('preflights are answered for any origin (the site is known only from the body) and allow only POST with Content-Type', async () => {
  for (const origin of ['https://shop.example', 'https://evil.example']) {
    const r = await request('OPTIONS', '/v1/sync', { headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), origin);
    assert.equal(r.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(r.headers.get('access-control-allow-headers'), 'Content-Type');
    noCredentials(r);
  }
});

test('a site without origins accepts any origin and echoes it', async () => {
  for (const [site, origin] of [[A, 'https://evil.example'], [B, 'https://anything.example:8080']]) {
    const r = await post('/v1/sync', syncBody(site, token(), 'any_origin_' + site.pk.slice(-4), ['o-e1']), { Origin: origin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('access-control-allow-origin'), origin);
    noCredentials(r);
  }
});

test('backend routes send no CORS headers, and OPTIONS there is 405', async () => {
  for (const p of ['/v1/changes', '/v1/profiles/dev_a', '/v1/export', '/v1/stats']) {
    const r = await request('GET', p, { key: A.sk, headers: { Origin: 'https://evil.example' } });
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
    assert.equal(r.headers.get('access-control-allow-origin'), null, p);
    const o = await request('OPTIONS', p, { headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' } });
    assertError(o, 405, 'method_not_allowed');
    assert.equal(o.headers.get('access-control-allow-origin'), null, p);
  }
});
