/* Ashna loader: the script-tag entry. Reads data-* configuration from its <script> tag, keeps
 * nothing and sends nothing before consent, runs the core (AshnaCore + AshnaEngine above), fills
 * data-ashna slots as text, syncs deltas, and replays calls queued by the snippet.
 * Config: data-site (publishable key, required), data-endpoint (server base URL, default "/"),
 * data-locale (default: <html lang>), data-catalog (URL of the shop's catalog JSON),
 * data-greetings (URL of the site's greeting wording: {"en": {phrase: template}, "fa": {...}}),
 * data-policy (privacy policy version: a new one asks for consent again),
 * data-consent-mode="google" (forward choices to gtag as Google Consent Mode v2 signals),
 * data-auto="off" disables automatic page/product views, click tracking and the data layer,
 * data-datalayer (the GA4 data layer array read for purchases, default "dataLayer"; "off"),
 * data-wasm (URL of ashna.wasm, default: next to ashna.js),
 * data-wire="json" syncs with protocol version 1 (JSON, readable in devtools) instead of 2 (MessagePack).
 * The ES module build (ashna.mjs) runs this same code from its init(options): `options` are these
 * attributes as an object, and there is no <script> tag to read. */
(function (w, d, options) {
  'use strict';
  var script = d.currentScript;
  var cfg = options || (script && script.dataset) || {};
  var site = cfg.site || '';
  var endpoint = (cfg.endpoint || '/').replace(/\/?$/, '/');
  var VERSION = '0.1.0';
  var prefix = 'ashna:' + site + ':';
  var queued = w.ashna && w.ashna.q ? w.ashna.q.splice(0) : [];
  var listeners = {};
  var engine = null, failed = null, device = null, consent = null, loading = null;
  var held = [];            // calls made while the wasm loads
  var catalogItems = [];    // the shop's catalog, kept to re-seed the engine after reset()
  var greetings = {};       // data-greetings: the site's wording, {locale: {phrase: template}}
  var syncTimer = 0, syncing = false, inflight = null, backoff = 0, flushed = 0;
  var msgpack = cfg.wire !== 'json', MSGPACK = 'application/msgpack';
  // Event ids: a random prefix per page load and a counter. Unique per profile (72 random bits a
  // page), and the sync's string table sends the prefix once (then 2-4 bytes an event).
  var idPrefix = '', idCount = 0;

  function warn(msg) { if (w.console) w.console.warn('[ashna] ' + msg); }
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) { try { fn(detail); } catch (e) { warn(e); } });
  }

  // ---- storage: localStorage, guarded (disabled storage or a full quota must not break the page)
  function load(key) {
    try { var v = w.localStorage.getItem(prefix + key); return v ? JSON.parse(v) : null; } catch (e) { return null; }
  }
  // A full quota fails every write after the first one: warn once a page, not once a write.
  var storageWarned = false;
  function save(key, value) {
    try { w.localStorage.setItem(prefix + key, JSON.stringify(value)); return true; } catch (e) {
      if (!storageWarned) {
        storageWarned = true;
        warn('storage: localStorage refused a write (' + (e && e.name) + ': ' + (e && e.message) +
          '); nothing more is kept in this browser on this page; the profile stays in memory and still syncs');
      }
      return false;
    }
  }
  function drop(key) { try { w.localStorage.removeItem(prefix + key); } catch (e) { /* nothing stored */ } }

  function randomId(bytes) {
    var a = new Uint8Array(bytes), s = '';
    w.crypto.getRandomValues(a);
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return w.btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  // The customer's own choice (trait) first, then the tag's, then the page's.
  function locale() {
    var t = engine && engine.profile().traits.locale;
    return (t && t.value) || cfg.locale || d.documentElement.lang || 'en';
  }
  function gpc() { return !!(w.navigator && w.navigator.globalPrivacyControl); }

  // ---- consent: the choice itself is the only thing kept before (and without) consent
  // The stored choice: {v: 2, purposes: {personalisation, analytics, marketing}, ts, source, policy}
  // (v1 records kept {choice: 'all' | 'necessary'}).
  function purposes(record) {
    var p = record && (record.purposes || (record.choice === 'all' ? { personalisation: true, analytics: true, marketing: true }
      : record.choice ? {} : null));
    // Global Privacy Control is a legally binding opt-out of sale/sharing: marketing stays off.
    return { decided: !!p, personalisation: !!(p && p.personalisation), analytics: !!(p && p.analytics),
      marketing: !!(p && p.marketing) && !gpc() };
  }
  // Google Consent Mode v2 signals for the same choice, for sites that forward it to gtag.
  function googleSignals(c) {
    var g = function (on) { return on ? 'granted' : 'denied'; };
    return { ad_storage: g(c.marketing), ad_user_data: g(c.marketing), ad_personalization: g(c.marketing),
      analytics_storage: g(c.analytics), personalization_storage: g(c.personalisation),
      functionality_storage: 'granted', security_storage: 'granted' };
  }
  // data-consent-mode="google": forward every choice with gtag('consent', 'update', ...).
  function forwardToGoogle(c) {
    if (cfg.consentMode === 'google' && c.decided && typeof w.gtag === 'function') {
      try { w.gtag('consent', 'update', googleSignals(c)); } catch (e) { warn('gtag: ' + e.message); }
    }
  }
  function storing(record) { var p = purposes(record); return p.decided && (p.personalisation || p.analytics); }
  // now: a choice made now (withdrawing a purpose deletes what only it justified); none at load.
  function applyConsent(now) {
    var c = purposes(consent);
    var had = !!load('device');
    engine.consent(c, now);
    if (c.decided && !(c.personalisation || c.analytics)) {
      // Withdrawal: what only consent justified goes, here at once and on the server next. Until
      // the server confirms, keep just what the erasure request needs.
      if (had) { save('erase', { id: device.id, replica: device.replica, token: device.token, epoch: Date.now() }); sendErase(); }
      drop('state'); drop('device'); drop('paint'); drop('model');
      // A later "accept" starts a new, unrelated profile: the erased one is not continued.
      if (had) device = newDevice();
    }
    if (!c.personalisation) { forgetShown(); drop('model'); }
  }
  function sendErase() {
    var e = load('erase');
    if (!e) return Promise.resolve(null);
    var n = consent && consent.unsent ? consent.unsent.length : 0;
    // The withdrawal itself goes on record with it.
    var text = msgpack ? AshnaEngine.pack({ v: 2, k: site, t: e.token, c: n ? consentRecords() : undefined,
      d: { p: e.id, r: e.replica, u: 0, x: e.epoch } }) : JSON.stringify({ v: 1, key: site, token: e.token,
      delta: { profile: e.id, replica: e.replica, upto: 0, erased: e.epoch } });
    if (n && !msgpack) text = text.slice(0, -1) + consentPart() + '}';
    return post('v1/sync', text).then(function (res) {
      if (res.ok) consentSent(n);
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) drop('erase');  // done, or never will be
      else retryErase();
    }, retryErase);
  }
  function retryErase() { setTimeout(sendErase, 5000 + Math.random() * 5000); }

  // ---- the engine
  // since: the server version this device has received everything up to (down-sync).
  function newDevice() { return { id: 'a_' + randomId(16), replica: 'r_' + randomId(9), token: 't_' + randomId(24), since: 0 }; }
  function start(Core) {
    device = (storing(consent) && load('device')) || newDevice();
    engine = new AshnaEngine(Core, device.id, device.replica, 1000);
    catalogItems.forEach(function (c) { engine.catalogItem(c); });
    // The site model kept from the last visit decides the first render (its experiments too, so
    // a variation does not flash the default); the fresh one follows (loadModel).
    if (!siteModel && storing(consent) && purposes(consent).personalisation) useModel(load('model'));
    if (siteModel) engine.model(siteModel);
    applyConsent();
    var state = load('state');
    if (state && state.id === device.id && engine.restore(state) > 0) warn('some stored data was invalid and was skipped');
  }
  // After identify: the same device and data under the customer's profile id.
  function switchProfile(id) {
    var state = engine.state(), core = engine._m;
    engine.free();
    device.id = id;
    device.since = 0;
    engine = new AshnaEngine(core, id, device.replica, 1000);
    catalogItems.forEach(function (c) { engine.catalogItem(c); });
    if (siteModel) engine.model(siteModel);
    applyConsent();
    engine.restore(state);
    persist();
  }
  function persist() {
    var state = engine.state();
    if (state) { save('device', device); save('state', state); }
  }

  // ---- slots: always textContent, never HTML
  // A first visit or a visitor without personalisation consent: the shop's own fallback text is
  // already the right greeting, so it stays (no flash, no generic text over the shop's words).
  // Kind 'holdout' (an experiment's holdout): the slot's own text, kept before the first write.
  var ownText = new WeakMap();
  function paint(g) {
    var slots = d.querySelectorAll('[data-ashna="greeting"]');
    var keep = g.kind === 'generic' || g.kind === 'first_visit';
    for (var i = 0; i < slots.length; i++) {
      if (!ownText.has(slots[i])) ownText.set(slots[i], slots[i].textContent);
      if (!keep) slots[i].textContent = g.kind === 'holdout' ? ownText.get(slots[i]) : g.text;
      slots[i].setAttribute('data-ashna-reason', g.reason);
      slots[i].setAttribute('data-ashna-kind', g.kind);
      slots[i].setAttribute('lang', g.locale);
      slots[i].setAttribute('dir', g.locale === 'fa' ? 'rtl' : 'ltr');
    }
  }
  // Fast first paint: within a visit, the last greeting (kept with consent) is shown before the
  // wasm has loaded; the wasm then recomputes it and the slot changes only if it differs.
  var kPaintFresh = 30 * 60 * 1000;
  function paintCached() {
    if (!storing(consent)) return;
    var c = load('paint');
    if (c && typeof c.text === 'string' && Date.now() - c.t >= 0 && Date.now() - c.t < kPaintFresh)
      paint({ text: c.text, kind: c.kind, reason: c.reason, locale: c.locale });
  }
  function render() {
    if (!engine) return;
    // One `now` for every slot, so the engine computes the views once for all of them.
    var now = Date.now();
    var l = locale();
    attributes = null;
    // A greeting experiment's variation is {templates: {phrase: template}} over the site's wording.
    var x = variant('greeting', now, l), t = greetings[l] || greetings[l.split('-')[0]];
    if (x && x.value && x.value.templates) t = Object.assign({}, t, x.value.templates);
    var g = engine.greeting({ now: now, hour: new Date(now).getHours(), locale: l, templates: t });
    var first = d.querySelector('[data-ashna="greeting"]');
    // Exposed when the slot shows (or, held out, would show) a personal greeting.
    if (first && g.kind !== 'generic' && g.kind !== 'first_visit') expose(x);
    var p = x && x.holdout ? { text: '', kind: 'holdout', reason: '', locale: g.locale } : g;
    if (!first || first.textContent !== p.text || first.getAttribute('data-ashna-kind') !== p.kind) paint(p);
    if (engine.state()) save('paint', { t: now, text: p.text, kind: p.kind, reason: p.reason, locale: p.locale });
    renderSlots(now, g);
    recordExposures(now);
    return g;
  }
  // ---- experiments (docs/experiments.md#in-the-browser): the site's definitions come with the
  // model; AshnaExperiments assigns with the core's rules. Only with personalisation and analytics
  // consent: an experiment is a measurement. An exposure is recorded once per page load and
  // experiment, when its slot is on the page and shows (held out: would show) the decision.
  var experiments = [], exposed = {}, exposures = [], attributes = null;
  function variant(slot, now, l) {
    var c = purposes(consent), v, a, i;
    if (!experiments.length || !c.personalisation || !c.analytics) return null;
    if (!attributes) {
      v = engine.views(now);
      attributes = { id: device.id, segment: v.rfm.segment, stage: v.stage, tier: v.value.tier, orders: v.rfm.orders,
        category: v.categories.length ? v.categories[0].key : null, locale: l, path: w.location.pathname };
    }
    for (i = 0; i < experiments.length; i++) {
      try { a = experiments[i].slot === slot && AshnaExperiments.assign(experiments[i], attributes, now); } catch (e) { a = null; }
      if (a && (a.inExperiment || a.holdout)) return a;  // the first experiment of the slot that takes the profile
    }
    return null;
  }
  function expose(a) {
    if (a && a.hashUsed && !exposed[a.key]) { exposed[a.key] = 1; exposures.push(a); }
  }
  // Kept and synced like any event, without re-rendering (the exposure changes no decision).
  function recordExposures(now) {
    if (!exposures.length) return;
    idPrefix = idPrefix || randomId(9) + '.';
    exposures.splice(0).forEach(function (a) {
      engine.event({ id: idPrefix + ++idCount, type: 'exposure', ts: now, channel: 'web', path: w.location.pathname,
        props: a.holdout ? { experiment: a.key, variation: -1, holdout: true } : { experiment: a.key, variation: a.variationId } }, false);
    });
    persist();
    scheduleSync(1000);
  }
  // A slot's own content, kept when Ashna first fills it, comes back for an experiment's holdout.
  var own = new WeakMap();
  function unfill(slot) {
    var o = own.get(slot), box = slot.querySelector('[data-ashna-items]') || slot;
    if (!o) return;
    Array.prototype.slice.call(box.children).forEach(function (n) { if (n.tagName !== 'TEMPLATE') n.remove(); });
    o.nodes.forEach(function (n) { box.appendChild(n); });
    slot.hidden = o.hidden;
    slot.removeAttribute('data-ashna-reason');
    own.delete(slot);
  }

  // ---- impressions: the recommended items this browser showed, for the core's impression cap
  // (RecommendOptions): [[item, ts]], one per item and page load, the last 7 days, at most 200.
  // Kept on this device only (never synced), and only with personalisation consent.
  var pageStart = Date.now(), shownHere = {}, shown = null;
  function forgetShown() { shown = null; shownHere = {}; drop('impressions'); }
  // Those of earlier page loads: what this page shows is never rested while it is on screen.
  function shownBefore() {
    if (!shown) shown = purposes(consent).personalisation && load('impressions');
    if (!Array.isArray(shown)) shown = [];
    return shown.filter(function (i) { return i[1] < pageStart; });
  }
  function recordShown(recs, now) {
    if (!purposes(consent).personalisation) return;
    shownBefore();
    recs.forEach(function (r) { if (!shownHere[r.item]) { shownHere[r.item] = 1; shown.push([r.item, now]); } });
    shown = shown.filter(function (i) { return now - i[1] < 7 * 864e5; }).slice(-200);
    save('impressions', shown);
  }

  // Fills each element marked data-ashna-field inside a copy of the slot's <template> as text;
  // links get href only from the slot's URL pattern with the id URL-encoded (never from data).
  // Returns true when it rendered the items.
  function fill(slot, recs) {
    var tpl = slot.querySelector('template');
    if (!tpl || !recs.length) return false;  // keep the fallback content
    var pattern = slot.getAttribute('data-ashna-href') || '';
    var box = slot.querySelector('[data-ashna-items]') || slot;
    if (!own.has(slot)) own.set(slot, { hidden: slot.hidden, nodes: Array.prototype.slice.call(box.children).filter(function (n) { return n.tagName !== 'TEMPLATE'; }) });
    // Replace what is there (the fallback, or the previous render); the template stays.
    Array.prototype.slice.call(box.children).forEach(function (n) { if (n.tagName !== 'TEMPLATE') n.remove(); });
    recs.forEach(function (r) {
      var frag = tpl.content.cloneNode(true), root = frag.firstElementChild;
      if (!root) return;
      root.setAttribute('data-ashna-rendered', '');
      root.setAttribute('data-ashna-item', r.item);
      root.setAttribute('data-ashna-reason', r.reason);
      Array.prototype.slice.call(frag.querySelectorAll('[data-ashna-field]')).forEach(function (el) {
        var f = el.getAttribute('data-ashna-field');
        el.textContent = f === 'price' ? r.price.toFixed(2) : r[f] == null ? '' : String(r[f]);
      });
      if (pattern) Array.prototype.slice.call(frag.querySelectorAll('a[data-ashna-link]')).forEach(function (a) {
        a.setAttribute('href', pattern.replace('{id}', encodeURIComponent(r.item)));
      });
      box.appendChild(frag);
    });
    slot.hidden = false;  // slots without fallback content start hidden
    return true;
  }
  // The product on the page: data-ashna-product attributes, else schema.org Product JSON-LD.
  function pageProduct() {
    var p = d.querySelector('[data-ashna-product]');
    if (!p) return jsonLdProduct();
    var price = parseFloat(p.getAttribute('data-ashna-price'));
    return { id: p.getAttribute('data-ashna-product'), title: p.getAttribute('data-ashna-title') || '',
      category: p.getAttribute('data-ashna-category') || '', price: isFinite(price) ? price : 0 };
  }
  function jsonLdProduct() {
    var scripts = d.querySelectorAll('script[type="application/ld+json"]');
    for (var i = 0; i < scripts.length; i++) {
      var j;
      try { j = JSON.parse(scripts[i].textContent); } catch (e) { continue; }  // a shop's broken markup is not ours to fail on
      var list = Array.isArray(j) ? j : j && j['@graph'] ? j['@graph'] : [j];
      for (var k = 0; k < list.length; k++) {
        var o = list[k];
        if (!o || (o['@type'] !== 'Product' && !(Array.isArray(o['@type']) && o['@type'].indexOf('Product') >= 0))) continue;
        var offer = Array.isArray(o.offers) ? o.offers[0] : o.offers, price = parseFloat(offer && offer.price);
        var id = o.sku || o.productID || o.mpn || o.name;
        if (typeof id !== 'string' && typeof id !== 'number') continue;
        return { id: String(id).slice(0, 128), title: typeof o.name === 'string' ? o.name.slice(0, 512) : '',
          category: typeof o.category === 'string' ? o.category.slice(0, 512) : '', price: isFinite(price) && price >= 0 ? price : 0 };
      }
    }
    return null;
  }
  function renderSlots(now, g) {
    var here = pageProduct(), exclude = here ? [here.id] : [];
    var recs = d.querySelectorAll('[data-ashna-recs]');
    for (var i = 0; i < recs.length; i++) {
      // A recommendation experiment's variation may set {k} and {strategy} (one strategy only).
      var x = variant(recs[i].getAttribute('data-ashna-recs'), now, g.locale), xv = (x && x.value) || {};
      var k = typeof xv.k === 'number' ? xv.k : parseInt(recs[i].getAttribute('data-k'), 10);
      var r = engine.recommend({ now: now, k: k > 0 && k <= 50 ? k : 4, exclude: exclude, locale: g.locale, impressions: shownBefore(),
        strategy: typeof xv.strategy === 'string' ? xv.strategy : '' });
      if (x && x.holdout) { if (r.length) expose(x); unfill(recs[i]); } else if (fill(recs[i], r)) { recordShown(r, now); expose(x); }
    }
    var offers = d.querySelectorAll('[data-ashna-offer]');
    for (var j = 0; j < offers.length; j++) {
      // An offer experiment's variation {show: false} hides the offer; exposed whenever there is one.
      var o = engine.offer(now, g.locale), y = variant('offer', now, g.locale);
      if (o.items.length) expose(y);
      if (y && (y.holdout || (y.value && y.value.show === false))) { unfill(offers[j]); continue; }
      fill(offers[j], o.items);
      if (o.items.length) offers[j].setAttribute('data-ashna-reason', o.reason);
    }
    var reminders = d.querySelectorAll('[data-ashna-reminder]');
    var due = g.kind === 'reorder' && reminders.length && engine.views(now).items.filter(function (c) { return c.key === g.item; })[0];
    for (var m = 0; m < reminders.length; m++) remind(reminders[m], due && g, due);
  }
  // The replenishment reminder is the core's reorder sentence (the greeting's, in the page's
  // language) for the item most due by its purchase cadence. The slot's own content is kept aside
  // and comes back when nothing is due any more (or consent is withdrawn).
  var fallbacks = new WeakMap();
  var REMIND = ['title', 'lang', 'dir', 'data-ashna-item', 'data-ashna-reason', 'data-ashna-status', 'data-ashna-due'];
  function remind(slot, g, c) {
    var f = fallbacks.get(slot);
    if (!g && !f) return;  // never filled: the fallback is there
    if (!f) fallbacks.set(slot, f = { nodes: [].slice.call(slot.childNodes), hidden: slot.hidden,
      attrs: REMIND.map(function (a) { return slot.getAttribute(a); }) });
    if (g) {
      var v = [g.reason, g.locale, g.locale === 'fa' ? 'rtl' : 'ltr', g.item, g.reason, c.status, new Date(c.next).toISOString().slice(0, 10)];
      REMIND.forEach(function (a, i) { slot.setAttribute(a, v[i]); });
      if (slot.textContent !== g.text) slot.textContent = g.text;
      slot.hidden = false;
    } else {
      slot.textContent = '';
      f.nodes.forEach(function (n) { slot.appendChild(n); });
      REMIND.forEach(function (a, i) { if (f.attrs[i] == null) slot.removeAttribute(a); else slot.setAttribute(a, f.attrs[i]); });
      slot.hidden = f.hidden;
      fallbacks.delete(slot);
    }
  }

  function banner() {
    var b = d.querySelectorAll('[data-ashna-consent-banner]');
    // Shown until a choice is made, and again when the site's policy version changed.
    var ask = !consent || (cfg.policy && consent.policy !== cfg.policy);
    for (var i = 0; i < b.length; i++) b[i].hidden = !ask;
  }

  // ---- sync: POST the pending delta; the ack tells which local writes the server holds
  function scheduleSync(delay) {
    if (syncTimer) return;
    syncTimer = setTimeout(function () { syncTimer = 0; sync(true); }, delay);
  }
  // Keeps a request under the 64 KiB browsers allow for keepalive requests and the server's limit
  // of 500 events; what is left goes in the next request at once.
  var kMaxPerSync = 100;
  // Version 2: MessagePack, the delta encoded by the core; version 1 (data-wire="json"): JSON text.
  function body() {
    if (msgpack) return AshnaEngine.pack({ v: 2, k: site, t: device.token, s: device.since || 0, c: consentRecords(),
      d: engine.deltaBytes(kMaxPerSync) });
    return '{"v":1,"key":' + JSON.stringify(site) + ',"token":' + JSON.stringify(device.token) +
      ',"since":' + (device.since || 0) + consentPart() + ',"delta":' + engine.deltaText(kMaxPerSync) + '}';
  }
  function consentPart() {
    var u = consent && consent.unsent;
    return u && u.length ? ',"consent":' + JSON.stringify(u) : '';
  }
  // Version 2 consent records: [ts, personalisation, analytics, marketing, source, policy].
  function consentRecords() {
    var u = consent && consent.unsent;
    return u && u.length ? u.map(function (r) { return [r.ts, r.personalisation, r.analytics, r.marketing, r.source, r.policy]; }) : undefined;
  }
  // The server has the first `n` consent records: forget them here.
  function consentSent(n) {
    if (!n || !consent || !consent.unsent) return;
    consent.unsent.splice(0, n);
    save('consent', consent);
  }
  function post(path, body) {
    return w.fetch(endpoint + path, {
      method: 'POST', headers: { 'Content-Type': typeof body === 'string' ? 'application/json' : MSGPACK }, body: body,
      keepalive: true, credentials: 'omit'
    });
  }
  // The answer as an object: MessagePack (a version-2 sync) or JSON (version 1, and every error).
  function answerOf(res) {
    if ((res.headers.get('Content-Type') || '').indexOf(MSGPACK) !== 0) return res.json();
    return res.arrayBuffer().then(function (b) { return AshnaEngine.answer(AshnaEngine.unpack(new Uint8Array(b))); });
  }
  // The page is being hidden or left: what is pending must leave now, even if the page is gone a
  // moment later. sendBeacon survives unload; across origins a MessagePack beacon would need a
  // CORS preflight with credentials (Chromium sends it, the server's preflight does not allow
  // credentials, and the beacon is dropped silently), so there fetch with keepalive does it.
  // No answer is read: the next sync sends the same writes again, and replays are idempotent.
  function flush() {
    var upto = engine && engine.state() && !syncing ? engine.delta().upto : 0;
    if (!upto || upto === flushed) return;
    flushed = upto;
    var b = body(), url = endpoint + 'v1/sync';
    var sameOrigin = new URL(url, w.location.href).origin === w.location.origin;
    try {
      if ((sameOrigin || !msgpack) && w.navigator.sendBeacon &&
          w.navigator.sendBeacon(url, new Blob([b], { type: msgpack ? MSGPACK : 'text/plain' }))) return;
    } catch (e) { /* refused by the browser: fall back to fetch */ }
    post('v1/sync', b).catch(function () { /* the next page load sends it again */ });
  }
  // What other devices and channels added: kept as already-acknowledged data (seq 0).
  function applyDown(down) {
    if (down.erased) engine.erase(down.erased);  // erased on another device or by the shop
    (down.events || []).forEach(function (e) { engine.event(e, true); });
    Object.keys(down.traits || {}).forEach(function (k) { engine.trait(k, down.traits[k], true); });
    device.since = down.version;
    return (down.erased ? 1 : 0) + (down.events || []).length + Object.keys(down.traits || {}).length;
  }
  // pull: also ask when nothing is pending, to receive what the device lacks.
  function sync(pull) {
    if (!engine || !engine.state()) return Promise.resolve(null);
    // One request at a time; a caller who needs a fresh round trip waits for the one in flight.
    if (syncing) return inflight.then(function () { return sync(pull); });
    var delta = engine.delta();
    var sentConsent = consent && consent.unsent ? consent.unsent.length : 0;
    if (!delta.upto && !pull && !sentConsent) return Promise.resolve({ ok: true, sent: 0 });
    syncing = true;
    return inflight = post('v1/sync', body()).then(function (res) {
      return answerOf(res).then(function (j) {
        syncing = false;
        if (res.ok) {
          consentSent(sentConsent);
          engine.ack(j.ack.upto);
          var received = applyDown(j.down);
          persist(); backoff = 0;
          if (received) { render(); emit('profile', engine.profile()); }
          emit('sync', { ok: true, version: j.version, accepted: j.accepted, received: received });
          if (engine.delta().upto || j.down.more) scheduleSync(0);
          return j;
        }
        emit('sync', { ok: false, status: res.status, error: j.error });
        if (res.status === 429 || res.status >= 500) retry(res.headers.get('Retry-After'));
        else warn('sync refused: ' + (j.error ? j.error.code + ': ' + j.error.message : res.status));
        return j;
      });
    }).catch(function (e) {
      syncing = false;
      emit('sync', { ok: false, error: { code: 'network', message: String(e && e.message) } });
      retry(null);
      return null;
    });
  }
  function retry(after) {
    backoff = Math.min(backoff ? backoff * 2 : 1000, 60000);
    var wait = after && isFinite(after) ? after * 1000 : backoff * (0.5 + Math.random() / 2);  // jitter
    scheduleSync(wait);
  }
  function changed() {
    persist();
    render();
    emit('profile', engine.profile());
    if (engine.delta().upto) scheduleSync(1000);
  }

  // ---- the public API: every method returns a Promise and never throws into the page
  function rejectWith(msg) { return Promise.reject(new TypeError('ashna.' + msg)); }
  // id: given only by the SDK itself (an order from the data layer); the page gets fresh ones.
  function track(type, props, id) {
    if (typeof type !== 'string' || !type) return rejectWith('track(type, props): type must be a non-empty string');
    if (props != null && typeof props !== 'object') return rejectWith('track(type, props): props must be an object');
    props = props || {};
    idPrefix = idPrefix || randomId(9) + '.';
    var ev = { id: id || idPrefix + ++idCount, type: type, ts: Date.now(), channel: 'web', path: w.location.pathname };
    if (props.item && typeof props.item === 'object') ev.item = props.item;
    if (Array.isArray(props.lines)) ev.lines = props.lines;
    if (typeof props.currency === 'string') ev.currency = props.currency;
    var rest = {};
    Object.keys(props).forEach(function (k) { if (k !== 'item' && k !== 'lines' && k !== 'currency') rest[k] = props[k]; });
    if (Object.keys(rest).length) ev.props = rest;
    var r = engine.event(ev, false);
    if (r.error) {
      if (r.error.code === 'consent_refused') return Promise.resolve({ kept: false, reason: r.error.message });
      return rejectWith('track: ' + r.error.message);
    }
    changed();
    return Promise.resolve({ kept: true, id: ev.id });
  }
  var api = {
    version: VERSION,
    track: function (type, props) { return track(type, props); },
    page: function (props) { return track('page_view', props); },
    purchase: function (order) {
      if (!order || typeof order !== 'object' || !Array.isArray(order.lines) || !order.lines.length)
        return rejectWith('purchase(order): order.lines must be a non-empty array of {id, qty, price}');
      return track('purchase', { lines: order.lines, currency: order.currency, order: order.id });
    },
    recommend: function (opts) {
      opts = opts || {};
      var k = opts.k == null ? 4 : opts.k;
      if (typeof k !== 'number' || k < 0 || k > 50) return rejectWith('recommend({k}): k must be a number from 0 to 50');
      var r = engine.recommend({ now: Date.now(), k: k, exclude: Array.isArray(opts.exclude) ? opts.exclude : [],
        locale: locale(), impressions: shownBefore() });
      return r.error ? rejectWith('recommend: ' + r.error.message) : Promise.resolve(r);
    },
    offer: function () { return Promise.resolve(engine.offer(Date.now(), locale())); },
    views: function () { return Promise.resolve(engine.views(Date.now())); },
    identify: function (userId, opts) {
      if (typeof userId !== 'string' || !userId) return rejectWith('identify(userId, {token}): userId must be a non-empty string');
      if (!opts || typeof opts.token !== 'string') return rejectWith('identify(userId, {token}): token (the HMAC your server signed) is required');
      if (!engine.state()) return rejectWith('identify: needs the customer\'s consent to personalisation or analytics');
      // The server must know this device's profile before it can merge it: sync first.
      return sync(true).then(function () {
        return post('v1/identify', JSON.stringify({ v: 1, key: site, token: device.token, profile: device.id, user: userId, proof: opts.token }));
      }).then(function (res) {
        return res.json().then(function (j) {
          if (!res.ok) throw new Error('ashna.identify: ' + (j.error ? j.error.message : 'HTTP ' + res.status));
          if (j.profile !== device.id) switchProfile(j.profile);
          return opts.traits ? api.profile.update(opts.traits) : null;
        });
      }).then(function () { return sync(true); }).then(function () { return { id: device.id }; });
    },
    reset: function () {
      var core = engine._m;
      engine.free();
      drop('state'); drop('device'); drop('paint'); forgetShown();
      start(core); render(); emit('profile', engine.profile());
      return Promise.resolve();
    },
    greeting: function () { return Promise.resolve(render()); },
    sync: function () { return sync(true); },
    on: function (name, fn) {
      if (typeof fn !== 'function') return rejectWith('on(name, fn): fn must be a function');
      // Handlers only run once the engine is up, so 'ready' has already happened: call it now.
      if (name === 'ready') fn(facade); else (listeners[name] = listeners[name] || []).push(fn);
      return Promise.resolve();
    },
    profile: {
      get: function () { return Promise.resolve(engine.profile()); },
      update: function (traits) {
        if (!traits || typeof traits !== 'object') return rejectWith('profile.update(traits): traits must be an object');
        var keys = Object.keys(traits);
        for (var i = 0; i < keys.length; i++) {
          if (typeof traits[keys[i]] !== 'string') return rejectWith('profile.update: trait "' + keys[i] + '" must be a string');
          var r = engine.trait(keys[i], { value: traits[keys[i]], ts: Date.now() }, false);
          if (r.error && r.error.code !== 'consent_refused') return rejectWith('profile.update: ' + r.error.message);
        }
        changed();
        return Promise.resolve(engine.profile());
      },
      // Erases the profile here at once, and on the server and the customer's other devices at
      // their next sync. Resolves once the server has it (or it is queued while offline).
      erase: function () {
        engine.erase(Date.now());
        forgetShown();
        changed();
        emit('profile', engine.profile());
        return sync(true).then(function () { return { erased: true, pending: engine.delta().erased > 0 }; });
      }
    },
    consent: {
      get: function () {
        var p = purposes(consent);
        p.gpc = gpc();
        p.policy = consent ? consent.policy || '' : '';
        p.google = googleSignals(p);
        return Promise.resolve(p);
      },
      // choice: 'all', 'necessary', or {personalisation, analytics, marketing}; source: where the
      // customer made it ('banner', 'profile_centre', 'api').
      set: function (choice, source) {
        var p = choice === 'all' ? { personalisation: true, analytics: true, marketing: true }
          : choice === 'necessary' ? { personalisation: false, analytics: false, marketing: false }
          : choice && typeof choice === 'object' ? { personalisation: !!choice.personalisation, analytics: !!choice.analytics, marketing: !!choice.marketing }
          : null;
        if (!p) return rejectWith('consent.set(choice): choice must be "all", "necessary" or {personalisation, analytics, marketing}');
        var src = source === 'banner' || source === 'profile_centre' ? source : 'api';
        var unsent = (consent && consent.unsent) || [];
        consent = { v: 2, purposes: p, ts: Date.now(), source: src, policy: cfg.policy || '' };
        // The audit trail: each change goes to the server with the next sync (kept until acked).
        var eff = purposes(consent);
        consent.unsent = unsent.concat([{ ts: consent.ts, personalisation: eff.personalisation, analytics: eff.analytics,
          marketing: eff.marketing, source: src, policy: consent.policy || 'unversioned' }]).slice(-20);
        save('consent', consent);
        applyConsent(consent.ts);
        banner();
        changed();
        loadModel();
        var now = purposes(consent);
        forwardToGoogle(now);
        emit('consent', now);
        return Promise.resolve(now);
      }
    }
  };

  // Until the wasm is ready (or if it never is), calls wait in `held`; on failure they resolve
  // to undefined so the page keeps working with its fallback content.
  function deferred(path) {
    return function () {
      var args = [].slice.call(arguments);
      if (engine) return call(path, args);
      if (failed) return Promise.resolve(undefined);
      return new Promise(function (res, rej) { held.push([path, args, res, rej]); });
    };
  }
  function call(path, args) {
    var parts = path.split('.'), fn = parts.length > 1 ? api[parts[0]][parts[1]] : api[parts[0]];
    if (typeof fn !== 'function') return rejectWith(path + ' is not a function');
    try { return fn.apply(null, args); } catch (e) { return Promise.reject(e); }
  }
  // The snippet's object is kept and its methods replaced, so code that captured `window.ashna`
  // before this script ran keeps working.
  var facade = w.ashna && w.ashna.snippet ? w.ashna : {};
  delete facade.snippet;
  facade.version = VERSION;
  facade.profile = facade.profile || {};
  facade.consent = facade.consent || {};
  ['track', 'page', 'purchase', 'identify', 'reset', 'greeting', 'recommend', 'offer', 'views', 'sync', 'on']
    .forEach(function (m) { facade[m] = deferred(m); });
  ['get', 'update', 'erase'].forEach(function (m) { facade.profile[m] = deferred('profile.' + m); });
  ['get', 'set'].forEach(function (m) { facade.consent[m] = deferred('consent.' + m); });
  w.ashna = facade;

  function drain(list) {
    list.forEach(function (c) {
      var p = engine ? call(c[0], c[1]) : Promise.resolve(undefined);
      p.then(c[2], c[3]);
    });
  }

  function wireClicks() {
    d.addEventListener('click', function (ev) {
      var t = ev.target && ev.target.closest ? ev.target : null;
      var el = t && t.closest('[data-ashna-consent]');
      if (el) return facade.consent.set(el.getAttribute('data-ashna-consent') === 'accept-all' ? 'all' : 'necessary', 'banner');
      el = t && cfg.auto !== 'off' && t.closest('[data-ashna-track]');
      if (!el) return;
      // The product is the element's own data-ashna-product, a recommendation card's item, or the page's.
      var type = el.getAttribute('data-ashna-track'), owner = el.closest('[data-ashna-product],[data-ashna-item]');
      var item = owner ? { id: owner.getAttribute('data-ashna-product') || owner.getAttribute('data-ashna-item'), title: owner.getAttribute('data-ashna-title') || '',
        category: owner.getAttribute('data-ashna-category') || '', price: parseFloat(owner.getAttribute('data-ashna-price')) || 0 } : null;
      var lines = item && (type === 'add_to_cart' || type === 'purchase' || type === 'remove_from_cart') ? [{ id: item.id,
        title: item.title, category: item.category, price: item.price, qty: 1 }] : undefined;
      facade.track(type, lines ? { lines: lines } : item ? { item: item } : {}).catch(function (e) { warn(e.message); });
    });
  }
  // The site's model (RFM breakpoints, value parameters): public, cacheable (ETag), and fetched
  // only once personalisation is allowed, the only purpose that uses it.
  var modelLoaded = false, siteModel = null;
  function useModel(m) {
    if (!m || !engine.model(m)) return false;
    siteModel = m;
    experiments = Array.isArray(m.experiments) ? m.experiments : [];
    return true;
  }
  function loadModel() {
    if (modelLoaded || !engine || !purposes(consent).personalisation) return Promise.resolve(false);
    modelLoaded = true;
    return w.fetch(endpoint + 'v1/model?key=' + encodeURIComponent(site), { credentials: 'omit' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (m) {
      if (!useModel(m)) throw new Error('not a site model');
      if (storing(consent)) save('model', m);  // the site's, not the customer's: no personal data
      render();
      return true;
    }).catch(function (e) { modelLoaded = false; warn('site model could not load (' + e.message + '); using default breakpoints'); return false; });
  }
  // The shop's JSON files: the catalog (an array) and its greeting wording (an object).
  function loadJson(url, array, what, instead) {
    if (!url) return Promise.resolve(null);
    return w.fetch(url, { credentials: 'omit' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (v) {
      if (!v || typeof v !== 'object' || Array.isArray(v) !== array) throw new Error(array ? 'not an array' : 'not an object');
      return v;
    }).catch(function (e) { warn(what + ' ' + url + ' could not load (' + e.message + '); ' + instead); return null; });
  }
  function capturePage() {
    api.page({ title: d.title });
    var p = pageProduct();
    if (p) track('product_view', { item: p });
  }
  function autoCapture() {
    if (cfg.auto === 'off') return;
    capturePage();
    // Single-page apps: a route change (pushState, replaceState to a new path, back/forward) is a
    // page view too; the app renders first, so capture on the next tick.
    var last = w.location.pathname + w.location.search;
    function routed() {
      setTimeout(function () {
        var now = w.location.pathname + w.location.search;
        if (now === last) return;
        last = now;
        capturePage();
      }, 0);
    }
    ['pushState', 'replaceState'].forEach(function (m) {
      var orig = w.history[m];
      if (typeof orig !== 'function') return;
      w.history[m] = function () { var r = orig.apply(this, arguments); routed(); return r; };
    });
    w.addEventListener('popstate', routed);
  }
  // Purchases from the shop's data layer, in GA4's shape as Google Tag Manager pushes them
  // ({event: 'purchase', ecommerce: {transaction_id, currency, items: [...]}}) or gtag.js does
  // (gtag('event', 'purchase', {...})). What was pushed before load is read, and push is wrapped
  // for what comes after. The event id comes from transaction_id, so the same order (a reloaded
  // thank-you page, a second push) is recorded once, here and on the server.
  function captureLayer() {
    var name = cfg.datalayer || (cfg.auto === 'off' ? 'off' : 'dataLayer');
    if (name === 'off') return;
    var layer = w[name] = w[name] || [], push = layer.push;
    if (!Array.isArray(layer) || typeof push !== 'function') return warn(name + ' is not an array: purchases in it are not read');
    layer.forEach(fromLayer);
    layer.push = function () {
      var r = push.apply(this, arguments);
      [].forEach.call(arguments, fromLayer);
      return r;
    };
    function fromLayer(e) {
      try { purchaseFrom(e); } catch (er) { warn(name + ': ' + er.message); }  // never into the shop's push
    }
    function purchaseFrom(e) {
      var gtm = e && e.event === 'purchase', gtag = !gtm && e && e[0] === 'event' && e[1] === 'purchase';
      if (!gtm && !gtag) return;  // not a purchase
      var o = (gtm ? e.ecommerce : e[2]) || {}, tx = o.transaction_id;
      var lines = Array.isArray(o.items) && o.items.length && o.items.map(function (it) {
        it = it || {};
        var id = it.item_id || it.item_id === 0 ? it.item_id : it.item_name;
        return { id: typeof id === 'string' || typeof id === 'number' ? String(id) : '', title: typeof it.item_name === 'string' ? it.item_name : '',
          category: ['', 2, 3, 4, 5].map(function (n) { return it['item_category' + n]; })
            .filter(function (c) { return typeof c === 'string' && c; }).join('/'),
          price: +(it.price || 0), qty: it.quantity == null ? 1 : +it.quantity };
      });
      if ((typeof tx !== 'string' && typeof tx !== 'number') || tx === '' || !lines || lines.some(function (l) { return !l.id || !(l.price >= 0) || !(l.qty >= 1); }))
        return warn(name + ': purchase skipped: it needs ecommerce.transaction_id and items [{item_id or item_name, price >= 0, quantity >= 1}]');
      track('purchase', { lines: lines, currency: typeof o.currency === 'string' ? o.currency : undefined, order: String(tx) }, 'order:' + tx)
        .catch(function (er) { warn(name + ': purchase ' + tx + ' was skipped: ' + er.message); });
    }
  }

  function boot() {
    if (!site) { failed = 'data-site is missing on the <script> tag'; warn(failed); }
    consent = load('consent');
    if (consent) forwardToGoogle(purposes(consent));
    paintCached();
    banner();
    sendErase();
    wireClicks();
    if (failed) return drain(queued.concat(held.splice(0)));
    var catalog = loadJson(cfg.catalog, true, 'catalog', 'recommending from history only');
    var wording = loadJson(cfg.greetings, false, 'greetings', "using Ashna's wording");
    loading = AshnaCore(cfg.wasm ? { locateFile: function () { return cfg.wasm; } } : {}).then(function (Core) {
      start(Core);
      return wording;
    }).then(function (g) {
      greetings = g || {};
      return catalog;
    }).then(function (items) {
      var bad = 0;
      (items || []).forEach(function (c) { if (engine.catalogItem(c).error) bad++; else catalogItems.push(c); });
      if (bad) warn(bad + ' catalog items were invalid and were skipped');
      autoCapture();
      captureLayer();
      render();
      loadModel();
      drain(queued.concat(held.splice(0)));
      sync(true);
      w.addEventListener('pagehide', flush);
      d.addEventListener('visibilitychange', function () { if (d.visibilityState === 'hidden') flush(); });
    }).catch(function (e) {
      if (engine) return warn(e && e.message);
      failed = 'the WebAssembly core could not load (' + (e && e.message || e) + '); showing fallback content';
      warn(failed);
      drain(queued.concat(held.splice(0)));
    });
  }

  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', boot); else boot();
})(window, document, typeof ashnaModuleOptions == 'object' ? ashnaModuleOptions : null);
