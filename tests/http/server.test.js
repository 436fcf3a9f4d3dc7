// The real ashna-server binary over real sockets: limits, malformed HTTP, keep-alive, and a clean
// stop on SIGTERM that still answers the request in flight.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startServer } = require('../browser/harness');

// Sends raw bytes and resolves with everything the server sent until it closed (or `ms` passed).
function raw(port, chunks, { ms = 3000, gap = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(data); }, ms);
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => { clearTimeout(timer); resolve(data); });
    sock.on('error', (e) => { clearTimeout(timer); e.code === 'ECONNRESET' ? resolve(data) : reject(e); });
    sock.on('connect', async () => {
      for (const c of [].concat(chunks)) {
        if (typeof c === 'function') await c(); else sock.write(c);
        if (gap) await new Promise((r) => setTimeout(r, gap));
      }
    });
  });
}
const status = (resp) => Number(/^HTTP\/1\.1 (\d{3})/.exec(resp)?.[1]);
const body = (resp) => JSON.parse(resp.slice(resp.indexOf('\r\n\r\n') + 4));
const portOf = (s) => Number(new URL(s.base).port);

const syncBody = JSON.stringify({
  v: 1, key: 'pk_demo', token: 't_http_test_0123456789',
  delta: { profile: 'p_http', replica: 'r1', upto: 1, events: [{ id: 'e1', type: 'page_view', ts: 1790000000000 }] },
});
const post = (b, extra = '') => `POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server?.stop(); });

test('an oversize body is refused with 413 before it is read', async () => {
  const resp = await raw(portOf(server), 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{');
  assert.equal(status(resp), 413);
  assert.equal(body(resp).error.code, 'payload_too_large');
});

test('oversize headers are refused with 431', async () => {
  const resp = await raw(portOf(server), `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
  assert.equal(status(resp), 431);
  assert.equal(body(resp).error.code, 'headers_too_large');
});

test('malformed HTTP gets a 400 JSON error', async () => {
  const resp = await raw(portOf(server), 'GET / HTTP/1.1\r\nHost x\r\n\r\n');
  assert.equal(status(resp), 400);
  assert.equal(body(resp).error.code, 'bad_request');
});

test('keep-alive: several requests on one connection', async () => {
  const resp = await raw(portOf(server), [
    'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    post(syncBody),
    'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ], { gap: 50 });
  const statuses = [...resp.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  assert.deepEqual(statuses, [200, 200, 200]);
});

test('Expect: 100-continue is honoured', async () => {
  const b = syncBody;
  const resp = await raw(portOf(server), [
    `POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${b.length}\r\n\r\n`,
    b,
  ], { gap: 100 });
  assert.match(resp, /^HTTP\/1\.1 100 Continue\r\n/);
  assert.match(resp, /HTTP\/1\.1 200 OK/);
});

test('SIGTERM: the request in flight is answered, then the server exits cleanly', async () => {
  const s = await startServer();
  try {
    const half = Math.floor(syncBody.length / 2);
    const head = `POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${syncBody.length}\r\n\r\n`;
    const exited = new Promise((r) => s.proc.once('exit', (code, signal) => r({ code, signal })));
    const resp = await raw(portOf(s), [
      head + syncBody.slice(0, half),
      // Let the server read the headers first: from then on the request is in flight. (Without the
      // pause the signal can win the race with the read, and an unread request is not in flight.)
      async () => { await new Promise((r) => setTimeout(r, 150)); },
      async () => { s.proc.kill('SIGTERM'); await new Promise((r) => setTimeout(r, 300)); },
      syncBody.slice(half),
    ]);
    assert.equal(status(resp), 200, resp);
    assert.match(resp, /Connection: close/i);
    assert.deepEqual(await exited, { code: 0, signal: null });
  } finally {
    await s.stop();
  }
});
