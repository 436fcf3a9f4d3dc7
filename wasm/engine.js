/* AshnaEngine: the one JS wrapper over the C ABI in bindings.cc. It hides pointers and turns
 * every answer into a plain object. Shared by the browser loader and the Node tests. */
var AshnaEngine = (function () {
  'use strict';
  // The C ABI: for each function, its argument kinds ('s' a string, else a number). Every function
  // returns a number (a handle, a pointer to the answer, a size) or nothing.
  var SIG = {
    ashna_new: 'ssn', ashna_free: 'n', ashna_line: 'nsssnn', ashna_catalog_item: 'nsssnsnn',
    ashna_views: 'nn', ashna_recommend: 'nnnssss', ashna_offer: 'nns', ashna_event: 'nnssnssssnssns',
    ashna_trait: 'nnssnsnn', ashna_consent: 'nnnnnn', ashna_model: 'nnnn', ashna_population: 'ns', ashna_summary_begin: 'nnn',
    ashna_summary_day: 'nnnn', ashna_summary_key: 'nnsn', ashna_summary_end: 'n', ashna_greeting: 'nnnss',
    ashna_state: 'n', ashna_delta: 'nn', ashna_delta_wire: 'nn', ashna_out_size: 'n', ashna_ack: 'nn',
    ashna_erase: 'nnn', ashna_profile: 'n'
  };
  var utf8in = new TextEncoder(), utf8out = new TextDecoder();
  // Calls export `name`, its string arguments copied into one NUL-separated block for the call
  // (Emscripten's cwrap does the same with more code).
  function bind(module, name) {
    var f = module['_' + name], kinds = SIG[name];
    return function () {
      var args = Array.prototype.slice.call(arguments), bytes = [], size = 0, i, at, block = 0;
      for (i = 0; i < args.length; i++) if (kinds[i] === 's') size += (bytes[i] = utf8in.encode(args[i])).length + 1;
      if (size) {
        at = block = module._malloc(size);
        for (i = 0; i < args.length; i++) if (bytes[i]) {
          module.HEAPU8.set(bytes[i], at);
          module.HEAPU8[at + bytes[i].length] = 0;
          args[i] = at;
          at += bytes[i].length + 1;
        }
      }
      var r = f.apply(null, args);
      if (block) module._free(block);
      return r;
    };
  }

  // C strings end at NUL: replace it so a value is never silently cut short. A lone surrogate
  // becomes U+FFFD too (Emscripten's UTF-8 writer would pair it with the next character).
  function str(v) { return v == null ? '' : wellFormed(String(v).replace(/\u0000/g, '\ufffd')); }
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
  // {phrase: template} as the core's "phrase=template" lines; a line break in a template ends it.
  function templateLines(t) {
    return t && typeof t === 'object' ? Object.keys(t).map(function (k) {
      return typeof t[k] === 'string' ? k + '=' + t[k].replace(/[\r\n][\s\S]*/, '') : '';
    }).join('\n') : '';
  }

  // The site's population model ({baskets, popular: [id], related: {id: [[id, score]]}}) as the
  // core's lines (bindings.cc, ashna_population); an id with a tab or line break is left out.
  function populationLines(p) {
    function plain(s) { return typeof s === 'string' && s !== '' && !/[\t\n\r]/.test(s); }
    var out = ['b\t' + Math.max(0, Math.floor(num(p.baskets, 0)))], rel = p.related || {};
    (Array.isArray(p.popular) ? p.popular : []).forEach(function (id) { if (plain(id)) out.push('p\t' + id); });
    Object.keys(rel).forEach(function (id) {
      if (plain(id) && Array.isArray(rel[id])) rel[id].forEach(function (r) {
        if (Array.isArray(r) && plain(r[0]) && r[1] > 0 && r[1] <= 1) out.push('r\t' + id + '\t' + r[0] + '\t' + Math.round(r[1] * 1e6));
      });
    });
    return out.join('\n');
  }

  /** Wraps one engine. `module` is the instantiated AshnaCore module. */
  function AshnaEngine(module, profileId, replicaId, maxEvents) {
    var fns = {};
    Object.keys(SIG).forEach(function (name) {
      fns[name] = bind(module, name);
    });
    this._m = module;
    this._f = fns;
    this._h = fns.ashna_new(str(profileId), str(replicaId), maxEvents || 0);
    this.id = str(profileId);
    this.replica = str(replicaId);
  }

  // The answer the last call left in the handle's buffer.
  AshnaEngine.prototype._text = function (ptr) {
    return utf8out.decode(this._m.HEAPU8.subarray(ptr, ptr + this._f.ashna_out_size(this._h)));
  };
  AshnaEngine.prototype._json = function (ptr) { return JSON.parse(this._text(ptr)); };

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

  /** Sets a trait at time `ts`, or restores a stored one {value, ts, tick, replica, seq}. */
  AshnaEngine.prototype.trait = function (name, t, restore) {
    return this._json(this._f.ashna_trait(this._h, restore ? 1 : 0, str(name), str(t.value),
      num(t.ts, NaN), str(t.replica), num(t.seq, 0), num(t.tick, 0)));
  };

  /** {decided, personalisation, analytics, marketing}; `now` (Unix ms) for a choice made now, which
   *  deletes what a withdrawn purpose alone justified; none when restoring the stored choice. */
  AshnaEngine.prototype.consent = function (c, now) {
    return this._json(this._f.ashna_consent(this._h, c.decided ? 1 : 0, c.personalisation ? 1 : 0,
      c.analytics ? 1 : 0, c.marketing ? 1 : 0, num(now, 0)));
  };

  /** The site model as GET /v1/model serves it; a malformed one is ignored (returns false). */
  AshnaEngine.prototype.model = function (m) {
    var f = this._f, mod = this._m, v = m && m.value, r = m && m.rfm;
    var rfm = r && [].concat(r.recency_days, r.frequency, r.monetary);
    var val = v && v.bgnbd && v.spend && [v.bgnbd.r, v.bgnbd.alpha, v.bgnbd.a, v.bgnbd.b, v.spend.p, v.spend.q,
      v.spend.gamma, v.tier_median, v.tier_p80];
    function ok(a, n) { return a && a.length === n && a.every(function (x) { return typeof x === 'number' && isFinite(x); }); }
    if (!ok(rfm, 12) || (v && !ok(val, 9))) return false;
    var p = mod._malloc(8 * 21), heap = new Float64Array(mod.HEAPU8.buffer, p, 21);
    heap.set(rfm.concat(val || []));
    f.ashna_model(this._h, num(m.fitted_at, 0), p, val ? p + 96 : 0);
    mod._free(p);
    if (m.population && typeof m.population === 'object') f.ashna_population(this._h, str(populationLines(m.population)));
    return true;
  };

  /** {now, hour, locale, templates?: {phrase: template}} -> {kind, text, reason, item, locale} */
  AshnaEngine.prototype.greeting = function (ctx) {
    return this._json(this._f.ashna_greeting(this._h, num(ctx.now, NaN), num(ctx.hour, 12), str(ctx.locale),
      str(templateLines(ctx.templates))));
  };

  /** Catalog item {id, title, category, price, tags[], replenish_days, sensitive}. */
  AshnaEngine.prototype.catalogItem = function (c) {
    return this._json(this._f.ashna_catalog_item(this._h, str(c.id), str(c.title), str(c.category),
      num(c.price, 0), Array.isArray(c.tags) ? c.tags.map(str).join('\n') : '', num(c.replenish_days, 0) | 0,
      c.sensitive ? 1 : 0));
  };
  AshnaEngine.prototype.views = function (now) { return this._json(this._f.ashna_views(this._h, num(now, NaN))); };
  /** {now, k, exclude: [ids], locale, impressions: [[item, ts]]} -> [{item, title, category, price,
   *  strategy, reason}]. Reasons in `locale` ("fa": Persian); impressions feed the impression cap. */
  AshnaEngine.prototype.recommend = function (o) {
    return this._json(this._f.ashna_recommend(this._h, num(o.now, NaN), num(o.k, 4) | 0,
      Array.isArray(o.exclude) ? o.exclude.map(str).join('\n') : '', str(o.locale),
      Array.isArray(o.impressions) ? o.impressions.map(function (i) { return num(i[1], 0) + '\t' + str(i[0]); }).join('\n') : '',
      str(o.strategy)));
  };
  /** -> {items, reason}, the reasons in `locale`. */
  AshnaEngine.prototype.offer = function (now, locale) {
    return this._json(this._f.ashna_offer(this._h, num(now, NaN), str(locale)));
  };

  AshnaEngine.prototype.state = function () { return this._json(this._f.ashna_state(this._h)); };
  /** The JSON text of the pending delta (sent as is, never re-serialized); at most `max` entries. */
  AshnaEngine.prototype.deltaText = function (max) { return this._text(this._f.ashna_delta(this._h, max || 0)); };
  AshnaEngine.prototype.delta = function (max) { return JSON.parse(this.deltaText(max)); };
  /** The same delta in sync protocol version 2: MessagePack bytes (a copy) made by the core. */
  AshnaEngine.prototype.deltaBytes = function (max) {
    var p = this._f.ashna_delta_wire(this._h, max || 0);
    return this._m.HEAPU8.slice(p, p + this._f.ashna_out_size(this._h));
  };
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
    var sum = s.summary, f = this._f, h = this._h;
    if (sum && Array.isArray(sum.purchases)) {
      // Before the events: they are newer than everything the summary holds.
      f.ashna_summary_begin(h, num(sum.events, 0), num(sum.until, 0));
      sum.purchases.forEach(function (d) { f.ashna_summary_day(h, num(d[0], 0), num(d[1], 0) | 0, num(d[2], 0)); });
      [sum.items, sum.categories].forEach(function (byKey, kind) {
        Object.keys(byKey || {}).forEach(function (k) {
          (byKey[k] || []).forEach(function (day) { f.ashna_summary_key(h, kind, str(k), num(day, 0)); });
        });
      });
      f.ashna_summary_end(h);
    }
    (s.events || []).forEach(function (e) { if (self.event(e, true).error) bad++; });
    Object.keys(s.traits || {}).forEach(function (k) { if (self.trait(k, s.traits[k], true).error) bad++; });
    this.ack(s.acked || 0);
    return bad;
  };

  AshnaEngine.prototype.free = function () { this._f.ashna_free(this._h); this._h = 0; };

  // ---- Sync protocol version 2 (grammar: sdk/src/wire.cc). The core encodes the delta; these
  // pack the envelope around it and read the server's answer, with no library.
  /** MessagePack of null, booleans, non-negative integers, strings, arrays and objects (undefined
   *  values left out): what a request envelope holds. A Uint8Array is taken as MessagePack
   *  already (the core's delta) and copied in. */
  function pack(value) {
    var out = [], utf8 = new TextEncoder();
    function be(n, k) { while (k--) out.push(Math.floor(n / Math.pow(2, 8 * k)) & 255); }
    // fixed form up to `max`, else the 16- or 32-bit length form (`c16`, `c16 + 1`).
    function head(n, fix, max, c16) {
      if (n < max) out.push(fix | n);
      else { out.push(c16 + (n > 65535)); be(n, n > 65535 ? 4 : 2); }
    }
    function put(v) {
      var i, c;
      if (v == null) out.push(0xc0);
      else if (typeof v === 'boolean') out.push(v ? 0xc3 : 0xc2);
      else if (typeof v === 'number') {
        if (!(v >= 0 && v === Math.floor(v) && v < 9007199254740992)) throw new TypeError('pack: ' + v + ' is not a non-negative integer');
        if (v < 128) out.push(v);
        else { for (i = 1, c = 0xcc; v >= Math.pow(2, 8 * i); i *= 2) c++; out.push(c); be(v, i); }
      } else if (typeof v === 'string') {
        v = utf8.encode(v);  // lone surrogates become U+FFFD: always valid UTF-8
        head(v.length, 0xa0, 32, 0xda);
        for (i = 0; i < v.length; i++) out.push(v[i]);
      } else if (v instanceof Uint8Array) {
        for (i = 0; i < v.length; i++) out.push(v[i]);
      } else if (Array.isArray(v)) {
        head(v.length, 0x90, 16, 0xdc);
        v.forEach(put);
      } else {
        c = Object.keys(v).filter(function (k) { return v[k] !== undefined; });
        head(c.length, 0x80, 16, 0xde);
        c.forEach(function (k) { put(k); put(v[k]); });
      }
    }
    put(value);
    return new Uint8Array(out);
  }

  /** One MessagePack value: nil, booleans, integers, float64, strings, arrays, maps (objects
   *  without a prototype). Throws on truncation, any other type, nesting deeper than 16 and
   *  trailing bytes. Integers beyond 2^53 lose precision (the server sends none). */
  function unpack(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos = 0, depth = 0, utf8 = new TextDecoder();
    function fail(why) { throw new Error('msgpack: ' + why + ' at byte ' + (pos + 1)); }
    function need(n) {
      if (pos + n > bytes.length) pos = bytes.length, fail('truncated');
      return (pos += n) - n;
    }
    function uint(n) { for (var p = need(n), x = 0, i = 0; i < n; i++) x = x * 256 + bytes[p + i]; return x; }
    function list(n, map) {
      if (++depth > 16) fail('nested deeper than 16');
      for (var o = map ? Object.create(null) : [], i = 0, k; i < n; i++) {
        if (!map) o.push(read());
        else if (typeof (k = read()) === 'string') o[k] = read();
        else fail('a map key that is not a string');
      }
      depth--;
      return o;
    }
    function read() {
      var b = bytes[need(1)], n;
      if (b < 0x80) return b;
      if (b < 0xa0) return list(b & 15, b < 0x90);
      if (b < 0xc0 || (b > 0xd8 && b < 0xdc)) return n = b < 0xc0 ? b & 31 : uint(1 << (b - 0xd9)), utf8.decode(bytes.subarray(need(n), pos));
      if (b > 0xdf) return b - 256;
      if (b > 0xcb && b < 0xd0) return uint(1 << (b - 0xcc));
      if (b === 0xd3) return n = need(8), view.getInt32(n) * 4294967296 + view.getUint32(n + 4);
      if (b > 0xcf && b < 0xd3) return n = 1 << (b - 0xd0), uint(n) - (bytes[pos - n] > 127 ? Math.pow(2, 8 * n) : 0);
      if (b > 0xdb) return list(uint(b & 1 ? 4 : 2), b > 0xdd);
      if (b === 0xcb) return view.getFloat64(need(8));
      if (b === 0xc0) return null;
      if (b === 0xc2 || b === 0xc3) return b === 0xc3;
      pos--, fail('type 0x' + b.toString(16) + ', not part of the protocol,');
    }
    var value = read();
    if (pos < bytes.length) fail('trailing bytes');
    return value;
  }

  var TYPES = ['page_view', 'product_view', 'search', 'add_to_cart', 'remove_from_cart', 'purchase', 'click', 'like',
    'email_open', 'unsubscribe', 'notification_block', 'store_visit', 'exposure', 'not_interested'];
  /** A version-2 answer (the unpacked map) in the version-1 shape: {ack, profile, version,
   *  accepted, down: {version, more, erased, events, traits}}, events and traits as the engine
   *  takes them. Throws if the down delta is not what the grammar says. */
  function answer(a) {
    var d = a.d, S = d.S || [], ts = d.b || 0, traits = {};
    function text(x) {
      var s = typeof x === 'number' ? S[x] : x;
      if (typeof s !== 'string') throw new Error('msgpack: a text that is not a string or a table index');
      return s;
    }
    function item(r) {
      // A whole number is hundredths; the writer never sends a whole float.
      return { id: text(r[0]), title: r[1] == null ? '' : text(r[1]), category: r[2] == null ? '' : text(r[2]),
        price: r[3] == null ? 0 : r[3] === Math.floor(r[3]) ? r[3] / 100 : r[3] };
    }
    var events = (d.e || []).map(function (r) {
      var e = { id: Array.isArray(r[0]) ? text(r[0][0]) + r[0][1] : text(r[0]), type: typeof r[1] === 'number' ? TYPES[r[1]] : r[1],
        ts: ts += r[2], channel: r[8] == null ? 'web' : text(r[8]) };
      if (r[3] != null) e.path = text(r[3]);
      if (r[4] != null) e.props = JSON.parse(text(r[4]));
      if (r[5] != null) e.item = item(r[5]);
      if (r[6] != null && r[6].length) e.lines = r[6].map(function (l) { var o = item(l); o.qty = l[4] == null ? 1 : l[4]; return o; });
      if (r[7] != null) e.currency = text(r[7]);
      return e;
    });
    (d.t || []).forEach(function (r) {
      var t = traits[text(r[0])] = { value: text(r[1]), ts: (d.b || 0) + r[2], replica: text(r[3]) };
      if (r[4]) t.tick = r[4];  // the hybrid clock's counter, when not 0
    });
    var accepted = { events: a.n[0], traits: a.n[1] };
    if (a.n.length > 2) accepted.consent = a.n[2];
    return { ack: { upto: a.a }, profile: a.p, version: a.V, accepted: accepted,
      down: { version: d.V, more: d.m, erased: d.x || 0, events: events, traits: traits } };
  }
  AshnaEngine.pack = pack;
  AshnaEngine.unpack = unpack;
  AshnaEngine.answer = answer;
  return AshnaEngine;
})();
