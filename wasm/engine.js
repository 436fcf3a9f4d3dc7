/* AshnaEngine: the one JS wrapper over the C ABI in bindings.cc. It hides pointers and turns
 * every answer into a plain object. Shared by the browser loader and the Node tests. */
var AshnaEngine = (function () {
  'use strict';
  var SIG = {
    ashna_new: ['number', ['string', 'string', 'number']],
    ashna_free: [null, ['number']],
    ashna_line: [null, ['number', 'string', 'string', 'string', 'number', 'number']],
    ashna_catalog_item: ['number', ['number', 'string', 'string', 'string', 'number', 'string', 'number', 'number']],
    ashna_views: ['number', ['number', 'number']],
    ashna_recommend: ['number', ['number', 'number', 'number', 'string']],
    ashna_offer: ['number', ['number', 'number']],
    ashna_event: ['number', ['number', 'number', 'string', 'string', 'number', 'string', 'string',
      'string', 'string', 'number', 'string', 'string', 'number', 'string']],
    ashna_trait: ['number', ['number', 'number', 'string', 'string', 'number', 'string', 'number']],
    ashna_consent: ['number', ['number', 'number', 'number', 'number', 'number']],
    ashna_greeting: ['number', ['number', 'number', 'number', 'string']],
    ashna_state: ['number', ['number']],
    ashna_delta: ['number', ['number', 'number']],
    ashna_ack: ['number', ['number', 'number']],
    ashna_erase: ['number', ['number', 'number', 'number']],
    ashna_profile: ['number', ['number']]
  };

  // C strings end at NUL: replace it so a value is never silently cut short.
  function str(v) { return v == null ? '' : String(v).replace(/\u0000/g, '\ufffd'); }
  // Free properties as JSON the server accepts: lone surrogates (a string cut mid-emoji) become
  // U+FFFD, and <, >, & are escaped like every other string Ashna writes.
  function wellFormed(s) {
    return s.toWellFormed ? s.toWellFormed() : s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '$1\ufffd');
  }
  function clean(v, depth) {
    if (typeof v === 'string') return wellFormed(v);
    if (!v || typeof v !== 'object' || depth > 8) return typeof v === 'object' ? null : v;
    if (Array.isArray(v)) return v.map(function (x) { return clean(x, depth + 1); });
    var out = {};
    Object.keys(v).forEach(function (k) { out[wellFormed(k)] = clean(v[k], depth + 1); });
    return out;
  }
  function propsJson(p) {
    return JSON.stringify(clean(p, 0)).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  }
  function num(v, dflt) { return typeof v === 'number' ? v : dflt; }

  /** Wraps one engine. `module` is the instantiated AshnaCore module. */
  function AshnaEngine(module, profileId, replicaId, maxEvents) {
    var fns = {};
    Object.keys(SIG).forEach(function (name) {
      fns[name] = module.cwrap(name, SIG[name][0], SIG[name][1]);
    });
    this._m = module;
    this._f = fns;
    this._h = fns.ashna_new(str(profileId), str(replicaId), maxEvents || 0);
    this.id = str(profileId);
    this.replica = str(replicaId);
  }

  AshnaEngine.prototype._json = function (ptr) { return JSON.parse(this._m.UTF8ToString(ptr)); };

  /** Records an event: {id, type, ts, channel?, item?: {id, title, category, price}, path?, props?}.
   *  `restore` keeps the given seq (data coming back from storage). Returns {ok, seq} or {error}. */
  AshnaEngine.prototype.event = function (e, restore) {
    var item = e.item || {}, self = this;
    if (Array.isArray(e.lines)) e.lines.forEach(function (l) {
      l = l || {};
      self._f.ashna_line(self._h, str(l.id), str(l.title), str(l.category), num(l.price, 0), num(l.qty, 1));
    });
    var props = e.props && typeof e.props === 'object' ? propsJson(e.props) : '';
    return this._json(this._f.ashna_event(this._h, restore ? 1 : 0, str(e.id), str(e.type),
      num(e.ts, NaN), str(e.channel), str(item.id), str(item.title), str(item.category),
      num(item.price, 0), str(e.path), props, num(e.seq, 0), str(e.currency)));
  };

  /** Sets a trait at time `ts`, or restores a stored one {value, ts, replica, seq}. */
  AshnaEngine.prototype.trait = function (name, t, restore) {
    return this._json(this._f.ashna_trait(this._h, restore ? 1 : 0, str(name), str(t.value),
      num(t.ts, NaN), str(t.replica), num(t.seq, 0)));
  };

  /** {decided, personalisation, analytics, marketing} */
  AshnaEngine.prototype.consent = function (c) {
    return this._json(this._f.ashna_consent(this._h, c.decided ? 1 : 0, c.personalisation ? 1 : 0,
      c.analytics ? 1 : 0, c.marketing ? 1 : 0));
  };

  /** {now, hour, locale} -> {kind, text, reason, item, locale} */
  AshnaEngine.prototype.greeting = function (ctx) {
    return this._json(this._f.ashna_greeting(this._h, num(ctx.now, NaN), num(ctx.hour, 12), str(ctx.locale)));
  };

  /** Catalog item {id, title, category, price, tags[], replenish_days, sensitive}. */
  AshnaEngine.prototype.catalogItem = function (c) {
    return this._json(this._f.ashna_catalog_item(this._h, str(c.id), str(c.title), str(c.category),
      num(c.price, 0), Array.isArray(c.tags) ? c.tags.map(str).join('\n') : '', num(c.replenish_days, 0) | 0,
      c.sensitive ? 1 : 0));
  };
  AshnaEngine.prototype.views = function (now) { return this._json(this._f.ashna_views(this._h, num(now, NaN))); };
  /** {now, k, exclude: [ids]} -> [{item, title, category, price, strategy, reason}] */
  AshnaEngine.prototype.recommend = function (o) {
    return this._json(this._f.ashna_recommend(this._h, num(o.now, NaN), num(o.k, 4) | 0,
      Array.isArray(o.exclude) ? o.exclude.map(str).join('\n') : ''));
  };
  AshnaEngine.prototype.offer = function (now) { return this._json(this._f.ashna_offer(this._h, num(now, NaN))); };

  AshnaEngine.prototype.state = function () { return this._json(this._f.ashna_state(this._h)); };
  /** The JSON text of the pending delta (sent as is, never re-serialized); at most `max` entries. */
  AshnaEngine.prototype.deltaText = function (max) { return this._m.UTF8ToString(this._f.ashna_delta(this._h, max || 0)); };
  AshnaEngine.prototype.delta = function (max) { return JSON.parse(this.deltaText(max)); };
  AshnaEngine.prototype.ack = function (upto) { return this._json(this._f.ashna_ack(this._h, upto)); };
  /** Erasure: forget and refuse everything older than `epoch` (Unix ms). */
  AshnaEngine.prototype.erase = function (epoch, seq) {
    return this._json(this._f.ashna_erase(this._h, num(epoch, 0), num(seq, 0)));
  };
  AshnaEngine.prototype.profile = function () { return this._json(this._f.ashna_profile(this._h)); };

  /** Restores a state written by state(): returns the number of entries that failed validation. */
  AshnaEngine.prototype.restore = function (s) {
    var bad = 0, self = this;
    if (s.erased) this.erase(s.erased, s.erase_seq);
    (s.events || []).forEach(function (e) { if (self.event(e, true).error) bad++; });
    Object.keys(s.traits || {}).forEach(function (k) { if (self.trait(k, s.traits[k], true).error) bad++; });
    this.ack(s.acked || 0);
    return bad;
  };

  AshnaEngine.prototype.free = function () { this._f.ashna_free(this._h); this._h = 0; };
  return AshnaEngine;
})();
