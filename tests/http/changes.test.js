// The change feed on the real ashna-server binary: a long-poll wakes as soon as a sync commits,
// an SSE stream delivers every change once, and a stream resumed with Last-Event-ID misses
// nothing and repeats nothing. Also: an open stream does not hold up a clean SIGTERM.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../browser/harness');

const auth = { Authorization: 'Bearer sk_demo' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server;
test.before(async () => { server = await startServer(); });
test.after(async () => { await server?.stop(); });

// One sync that creates profile pf<n> with one event: exactly one change in the feed.
async function sync(s, n) {
  const res = await fetch(`${s.base}/v1/sync`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      v: 1, key: 'pk_demo', token: `t_feed_${n}_0123456789abcdef`,
      delta: { profile: `pf${n}`, replica: 'r1', upto: 1, events: [{ id: `e${n}`, type: 'page_view', ts: 1790000000000 }] },
    }),
  });
  assert.equal(res.status, 200);
}

// An SSE reader over fetch (Node 20 has no EventSource): parses `id:`/`data:` blocks.
async function openStream(s, lastEventId) {
  const ctrl = new AbortController();
  const headers = { ...auth, Accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const res = await fetch(`${s.base}/v1/changes`, { headers, signal: ctrl.signal });
  const events = [];
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = Number(line.slice(4));
            if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
          }
          if (ev.id !== undefined) events.push(ev);
        }
      }
    } catch (e) {
      if (e.name !== 'AbortError') throw e;
    }
  })();
  return {
    res, events,
    async waitFor(n, ms = 5000) {
      const until = Date.now() + ms;
      while (events.length < n && Date.now() < until) await sleep(20);
      assert.equal(events.length, n, `expected ${n} events, got ${events.length}`);
    },
    async close() { ctrl.abort(); await reading; },
  };
}

test('long-poll returns as soon as a sync commits, and at the deadline with the same cursor', async () => {
  const start = await (await fetch(`${server.base}/v1/changes`, { headers: auth })).json();
  const t0 = Date.now();
  const polled = fetch(`${server.base}/v1/changes?wait=20&after=${start.next}`, { headers: auth });
  await sleep(300);
  await sync(server, 100);
  const page = await (await polled).json();
  const elapsed = Date.now() - t0;
  assert.equal(page.changes.length, 1);
  assert.equal(page.changes[0].profile, 'pf100');
  assert.equal(page.next, page.changes[0].seq);
  assert.ok(elapsed >= 250 && elapsed < 3000, `woke after ${elapsed} ms`);

  const t1 = Date.now();
  const empty = await (await fetch(`${server.base}/v1/changes?wait=1&after=${page.next}`, { headers: auth })).json();
  assert.deepEqual(empty, { changes: [], next: page.next });
  assert.ok(Date.now() - t1 >= 900, 'waited for the deadline');
});

test('SSE delivers every change once and resumes from Last-Event-ID without gaps or duplicates', async () => {
  const s = await startServer();
  try {
    for (let n = 0; n < 3; n++) await sync(s, n);
    const first = await openStream(s);
    assert.equal(first.res.status, 200);
    assert.match(first.res.headers.get('content-type'), /^text\/event-stream/);
    await first.waitFor(3);                       // the backlog
    for (let n = 3; n < 5; n++) await sync(s, n);
    await first.waitFor(5);                       // live
    await first.close();
    const lastSeen = first.events.at(-1).id;

    for (let n = 5; n < 8; n++) await sync(s, n); // while disconnected
    const resumed = await openStream(s, lastSeen);
    await resumed.waitFor(3);
    await sync(s, 8);
    await resumed.waitFor(4);
    await sleep(200);                              // nothing more arrives
    assert.equal(resumed.events.length, 4);
    await resumed.close();

    const all = [...first.events, ...resumed.events];
    const ids = all.map((e) => e.id);
    for (let i = 1; i < ids.length; i++) assert.equal(ids[i], ids[i - 1] + 1, `gap or repeat at ${ids[i]}`);
    assert.deepEqual(all.map((e) => e.data.profile), [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => `pf${n}`));
    for (const e of all) assert.equal(e.data.seq, e.id);
  } finally {
    await s.stop();
  }
});

test('an open SSE stream does not hold up a clean SIGTERM', async () => {
  const s = await startServer();
  try {
    const stream = await openStream(s);
    const exited = new Promise((r) => s.proc.once('exit', (code, signal) => r({ code, signal })));
    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 3000, 'stopped promptly');
    await stream.close();
  } finally {
    await s.stop();
  }
});

test('export is a chunked NDJSON stream of every profile; /metrics counts it', async () => {
  const s = await startServer();
  try {
    for (let n = 0; n < 30; n++) await sync(s, 200 + n);
    const res = await fetch(`${s.base}/v1/export`, { headers: { ...auth, 'X-Request-Id': 'export-test-1' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(res.headers.get('x-request-id'), 'export-test-1');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 30);
    assert.deepEqual(lines.map((p) => p.id), [...Array(30).keys()].map((n) => `pf${200 + n}`));
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(metrics, /^ashna_http_requests_total\{route="\/v1\/sync",status="200"\} 30$/m);
    assert.match(metrics, /^ashna_store_commits_total \d+$/m);
    assert.match(s.log(), /"request_id":"export-test-1","method":"GET","route":"\/v1\/export"/);
  } finally {
    await s.stop();
  }
});
