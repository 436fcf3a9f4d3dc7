// The site model in the browser (issue 7): nothing is fetched before consent; with
// personalisation allowed the page fetches GET /v1/model once and scores its own customer.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { startServer, launch, watch } = require('./harness');

const serverBin = process.env.ASHNA_SERVER || path.join(__dirname, '..', '..', 'build', 'native', 'server', 'ashna-server');
const DAY = 86400000;

test('the page scores its customer with the fitted site model, only after consent', async () => {
  const api = await startServer();
  const b = await launch();
  try {
    // A site with repeat buyers, fitted.
    const now = Date.now(), events = [];
    for (let c = 0; c < 60; c++)
      for (let k = 0; k < 1 + (c % 5); k++)
        events.push({ customer: 'c' + c, event: { id: `o${c}-${k}`, type: 'purchase', ts: now - (20 + 9 * k + c) * DAY,
          lines: [{ id: 'sku', price: 15 + (c * 7) % 40 }] } });
    const res = await fetch(api.base + '/v1/events', { method: 'POST',
      headers: { Authorization: 'Bearer sk_demo', 'Content-Type': 'application/json' }, body: JSON.stringify({ events }) });
    assert.equal(res.status, 200);
    const fitted = JSON.parse(execFileSync(serverBin, ['fit-value', '--site', 'pk_demo', '--db', api.db], { stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.ok(fitted.model.value, fitted.model.value_note);

    const page = await b.context.newPage();
    const seen = watch(page);
    const models = [];
    page.on('request', (r) => { if (r.url().includes('/v1/model')) models.push(r.url()); });
    await page.goto(api.base + '/');
    await page.waitForFunction(() => window.ashna && window.ashna.views);
    await page.waitForTimeout(300);
    assert.equal(models.length, 0, 'no model request before a consent choice');

    const loaded = page.waitForResponse((r) => r.url().includes('/v1/model?key=pk_demo'));
    await page.click('[data-ashna-consent="accept-all"]');
    assert.equal((await loaded).status(), 200);
    const value = await page.evaluate(async () => {
      await window.ashna.purchase({ lines: [{ id: 'eth', title: 'Ethiopian Yirgacheffe', price: 14.5, qty: 2 }] });
      return (await window.ashna.views()).value;
    });
    assert.equal(value.scored, true);
    assert.equal(value.orders, 1);
    assert.equal(value.p_alive, 1);  // one order: no dropout seen yet
    assert.ok(['high', 'medium', 'low'].includes(value.tier), JSON.stringify(value));
    assert.equal(models.length, 1);
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await api.stop();
  }
});

test('withdrawing personalisation deletes the name and interests here and on the server', async () => {
  const api = await startServer();
  const b = await launch();
  try {
    const page = await b.context.newPage();
    const seen = watch(page);
    await page.goto(api.base + '/');
    await page.waitForFunction(() => window.ashna && window.ashna.views);
    await page.click('[data-ashna-consent="accept-all"]');
    const id = await page.evaluate(async () => {
      await window.ashna.profile.update({ name: 'Ana', 'interest:tea': '+' });
      await window.ashna.track('page_view', {});
      await window.ashna.sync();
      return (await window.ashna.profile.get()).id;
    });
    const before = await api.api('/v1/profiles/' + id);
    assert.equal(before.body.traits.name.value, 'Ana');
    const after = await page.evaluate(async () => {
      await window.ashna.consent.set({ personalisation: false, analytics: true, marketing: true });
      await window.ashna.sync();
      return (await window.ashna.profile.get()).traits;
    });
    assert.equal(after.name.value, '');
    assert.equal(after['interest:tea'].value, '');
    const server = await api.api('/v1/profiles/' + id);
    assert.equal(server.body.traits.name.value, '');
    assert.equal(server.body.traits['interest:tea'].value, '');
    assert.ok(server.body.events.some((e) => e.type === 'page_view'), 'behaviour stays for analytics');
    assert.deepEqual(seen.errors, []);
  } finally {
    await b.close();
    await api.stop();
  }
});
