// Durability under SIGKILL (issue 5): devices sync continuously while the server is killed with
// kill -9, 20 times, mid group commit. After each restart every acknowledged event is there,
// nothing is duplicated, the database passes PRAGMA integrity_check, and each profile's op log
// has one entry per version with no gaps. Devices behave as the SDK does: what was not
// acknowledged is sent again with the next sync (ids make that idempotent).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const serverBin = process.env.ASHNA_SERVER || path.join(root, 'build', 'native', 'server', 'ashna-server');
const KILLS = 20;
const DEVICES = 12;

function start(db) {
  const proc = spawn(serverBin, ['--db', db, '--listen', '127.0.0.1:0', '--demo', '--refit-hours', '0', '--rate-limits', '0,0,0'],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, base: `http://127.0.0.1:${m[1]}` }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${out}`)); });
  });
}

// One browser: its own token and profile, events numbered in order; `pending` is what the
// server has not acknowledged yet.
function device(i) {
  return { token: `t_crash_device_${String(i).padStart(4, '0')}`, profile: `p_crash_${i}`, next: 0, seq: 0,
    pending: [], acked: new Set() };
}

async function syncOnce(base, d) {
  while (d.pending.length < 5) {
    d.seq += 1;
    d.pending.push({ id: `d${d.profile}-e${d.next++}`, type: 'page_view', ts: 1790000000000 + d.seq, seq: d.seq,
      path: '/p/' + d.next });
  }
  const batch = d.pending.slice(0, 20);
  const body = JSON.stringify({ v: 1, key: 'pk_demo', token: d.token,
    delta: { profile: d.profile, replica: 'r_' + d.profile, upto: batch[batch.length - 1].seq,
      events: batch.map(({ seq, ...e }) => e) } });
  const res = await fetch(base + '/v1/sync', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  assert.equal(answer.ack.upto, batch[batch.length - 1].seq);
  for (const e of batch) d.acked.add(e.id);
  d.pending = d.pending.filter((e) => e.seq > answer.ack.upto);
}

// Syncs as fast as it can until the server dies; a failed request is simply retried later.
async function hammer(base, d, alive) {
  while (alive()) {
    try { await syncOnce(base, d); } catch (e) {
      if (e.code === 'ERR_ASSERTION') throw e;
      return;  // connection refused or reset: the server is gone
    }
  }
}

const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

test(`no acknowledged sync is lost across ${KILLS} kill -9 during group commits`, { timeout: 180000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ashna-crash-'));
  const db = path.join(dir, 'crash.db');
  const devices = Array.from({ length: DEVICES }, (_, i) => device(i));
  let acknowledged = 0;
  try {
    for (let round = 0; round < KILLS; round++) {
      const { proc, base } = await start(db);
      let running = true;
      const exited = new Promise((r) => proc.once('exit', r));
      const work = Promise.all(devices.map((d) => hammer(base, d, () => running)));
      // Kill at a varying moment, while syncs (and so commits) are in flight.
      await new Promise((r) => setTimeout(r, 120 + ((round * 37) % 200)));
      proc.kill('SIGKILL');
      await exited;
      running = false;
      await work;
    }
    acknowledged = devices.reduce((n, d) => n + d.acked.size, 0);
    assert.ok(acknowledged > KILLS * DEVICES, `devices got acknowledgements (${acknowledged})`);

    // Restart once more and read every profile back through the backend API.
    const { proc, base } = await start(db);
    try {
      for (const d of devices) {
        if (!d.acked.size) continue;
        const res = await fetch(`${base}/v1/profiles/${d.profile}`, { headers: { Authorization: 'Bearer sk_demo' } });
        assert.equal(res.status, 200);
        const p = await res.json();
        const ids = p.events.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length, 'no event is stored twice');
        const missing = [...d.acked].filter((id) => !ids.includes(id));
        assert.deepEqual(missing, [], `${d.profile}: acknowledged events lost`);
      }
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }

    assert.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
    // The op log: versions 1..N per profile, each once, and N is the profile's version.
    const rows = sql(db, "SELECT p.id, p.version, count(o.seq), min(o.version), max(o.version), count(DISTINCT o.version) " +
      'FROM profiles p LEFT JOIN oplog o ON o.site_id = p.site_id AND o.profile_id = p.id GROUP BY p.site_id, p.id')
      .split('\n').filter(Boolean).map((l) => l.split('|'));
    for (const d of devices) if (d.acked.size) assert.ok(rows.some((r) => r[0] === d.profile), d.profile);
    for (const [id, version, entries, lo, hi, distinct] of rows) {
      assert.deepEqual([entries, lo, hi, distinct], [version, '1', version, version], `op log of ${id}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# ${KILLS} kills, ${DEVICES} devices, ${acknowledged} acknowledged events, all present`);
});
