/* AshnaExperiments: experiment assignment in the browser, in JavaScript. The same rules as the
 * core's sdk/src/experiment.cc and condition.cc (GrowthBook's hash, bucketing and condition
 * language, plus Ashna's slot, start/stop and holdout), kept out of the wasm because linking the
 * C++ costs ~16 KB brotli for a JSON reader, a regex engine and number formatting the browser has
 * natively (docs/experiments.md#in-the-browser). Proven against GrowthBook's cases.json and
 * tests/cases/experiments.json (tests/wasm/growthbook.test.js), which the C++ also passes.
 * Pure functions over plain JSON values: no DOM, storage, clock or randomness; never throws on a
 * definition the server accepted. Shared by the loader and the Node tests. */
var AshnaExperiments = (function () {
  'use strict';
  var isArray = Array.isArray;

  // FNV-1a 32 over UTF-16 code units (charCodeAt), as an unsigned integer.
  function fnv(s) {
    for (var h = 0x811c9dc5, i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  }
  /** GrowthBook's hash: a number in [0, 1), or null for a version other than 1 and 2. */
  function hash(seed, value, version) {
    return version === 2 ? fnv(fnv(seed + value) + '') % 1e4 / 1e4
      : version === 1 ? fnv(value + seed) % 1e3 / 1e3 : null;
  }
  /** n copies of 1/n; [] for n <= 0. */
  function getEqualWeights(n) {
    for (var w = []; w.length < n;) w.push(1 / n);
    return w;
  }
  /** [[start, end], ...]: variation i gets [sum of earlier weights, that + coverage * w_i).
   *  Equal weights when `weights` has another length or sums outside [0.99, 1.01]. */
  function getBucketRanges(n, coverage, weights) {
    coverage = coverage !== coverage ? 1 : Math.min(Math.max(coverage, 0), 1);
    var w = weights && weights.length === n ? weights : getEqualWeights(n), sum = 0;
    w.forEach(function (x) { sum += x; });
    if (sum < 0.99 || sum > 1.01) w = getEqualWeights(n);
    sum = 0;
    return w.map(function (x) { var start = sum; sum += x; return [start, start + coverage * x]; });
  }
  /** The index of the first range holding n, or -1. */
  function chooseVariation(n, ranges) {
    for (var i = 0; i < ranges.length; i++) if (n >= ranges[i][0] && n < ranges[i][1]) return i;
    return -1;
  }
  /** True when hash("__" + id, value, 1) is in [start, end) of namespace [id, start, end]. */
  function inNamespace(value, ns) {
    var n = hash('__' + ns[0], value, 1);
    return n >= ns[1] && n < ns[2];
  }

  // ---- the condition language (GrowthBook's evalCondition, as condition.cc reads it)
  function type(v) { return v === null ? 'null' : isArray(v) ? 'array' : typeof v; }
  function isObject(v) { return type(v) === 'object'; }
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  // "a.b.0": objects by key, arrays by a canonical index; anything missing is null.
  function getPath(v, path) {
    path.split('.').forEach(function (k) {
      v = isObject(v) ? (has(v, k) ? v[k] : null)
        : isArray(v) && /^(0|[1-9]\d{0,8})$/.test(k) && k < v.length ? v[k] : null;
    });
    return v === undefined ? null : v;
  }
  function isOperators(c) {
    var keys = isObject(c) ? Object.keys(c) : [];
    return keys.length > 0 && keys.every(function (k) { return k[0] === '$'; });
  }
  /** GrowthBook's paddedVersionString: a text whose order is the version order. */
  function paddedVersionString(v) {
    v = typeof v === 'number' ? v + '' : typeof v === 'string' && v ? v : '0';
    var parts = v.replace(/(^v|\+.*$)/g, '').split(/[-.]/);
    if (parts.length === 3) parts.push('~');
    return parts.map(function (p) { return /^\d+$/.test(p) ? ('    ' + p).slice(-Math.max(5, p.length)) : p; }).join('-');
  }
  function isIn(actual, list) {
    return (isArray(actual) ? actual : [actual]).some(function (x) { return list.indexOf(x) >= 0; });
  }
  function regex(pattern, text) {
    try { return new RegExp(pattern).test(text); } catch (e) { return false; }  // does not compile: false
  }
  var VERSION_OPS = { $veq: '==', $vne: '!=', $vgt: '>', $vgte: '>=', $vlt: '<', $vlte: '<=' };
  function operator(op, actual, expected) {
    var a, e;
    if (VERSION_OPS[op]) {
      a = paddedVersionString(actual), e = paddedVersionString(expected), op = VERSION_OPS[op];
      return op === '==' ? a === e : op === '!=' ? a !== e : compare(op, a, e);
    }
    switch (op) {
      case '$eq': return actual === expected;
      case '$ne': return actual !== expected;
      case '$lt': case '$lte': case '$gt': case '$gte': return compare(op.slice(1), actual, expected);
      case '$exists': return expected ? actual !== null : actual === null;
      case '$in': return isArray(expected) && isIn(actual, expected);
      case '$nin': return isArray(expected) && !isIn(actual, expected);
      case '$not': return !value(expected, actual);
      case '$size': return isArray(actual) && value(expected, actual.length);
      case '$elemMatch': return isArray(actual) && actual.some(function (x) {
        return !!x && (isOperators(expected) ? value(expected, x) : evalCondition(x, expected));
      });
      case '$all': return isArray(expected) && isArray(actual) && expected.every(function (c) {
        return actual.some(function (x) { return value(c, x); });
      });
      case '$regex': return typeof expected === 'string' && regex(expected, String(actual));
      case '$type': return type(actual) === expected;
    }
    return false;  // an unknown operator
  }
  // JavaScript's own <, <=, >, >= (strings by code unit, otherwise as numbers).
  function compare(op, a, b) {
    return op === 'lt' || op === '<' ? a < b : op === 'lte' || op === '<=' ? a <= b : op === 'gt' || op === '>' ? a > b : a >= b;
  }
  // evalConditionValue: literals compare loosely, an operator object must hold for each operator,
  // other objects and arrays must equal the value as JSON text.
  function value(c, v) {
    var t = type(c);
    if (t === 'string') return String(v) === c;
    if (t === 'number') return Number(v) === c;
    if (t === 'boolean') return v !== null && !!v === c;
    if (t === 'null') return v === null;
    if (!isOperators(c)) return JSON.stringify(v) === JSON.stringify(c);
    return Object.keys(c).every(function (op) { return operator(op, v, c[op]); });
  }
  /** True when `attributes` satisfy `condition`; false for anything that cannot be evaluated
   *  (a non-object condition, a non-array $and/$or/$nor, an unknown operator, a bad $regex). */
  function evalCondition(attributes, condition) {
    if (!isObject(condition)) return false;
    return Object.keys(condition).every(function (k) {
      var c = condition[k], holds = function (x) { return evalCondition(attributes, x); };
      if (k === '$or' || k === '$nor' || k === '$and') {
        if (!isArray(c)) return false;
        if (k === '$and') return c.every(holds);
        return (!c.length || c.some(holds)) === (k === '$or');  // an empty $or passes
      }
      if (k === '$not') return isObject(c) && !holds(c);
      return value(c, getPath(attributes, k));
    });
  }

  // ---- assign (experiment.cc's assign(), step for step)
  // The hash attribute as text; "" when missing or falsy, or an array or object (kept out).
  function hashValue(attributes, name) {
    var v = isObject(attributes) && has(attributes, name || 'id') ? attributes[name || 'id'] : null;
    return typeof v === 'string' ? v : typeof v === 'number' && v ? v + '' : v === true ? 'true' : '';
  }
  /** The variation `attributes` get at `now` (Unix ms) in `e`, a definition as the server stores
   *  it (docs/experiments.md#definition): {key, slot, inExperiment, hashUsed, holdout,
   *  variationId, value, hashAttribute, hashValue, bucket, reason}. The first check that applies
   *  decides, in the core's order. */
  function assign(e, attributes, now) {
    var vars = e.variations || [], attr = e.hashAttribute || 'id', hv = hashValue(attributes, attr);
    var seed = e.seed || e.key, h = e.holdout, n, i;
    var a = { key: e.key, slot: e.slot, inExperiment: false, hashUsed: false, holdout: false, variationId: 0,
      value: vars[0], hashAttribute: attr, hashValue: hv, bucket: null, reason: '' };
    function result(reason, variation, hashUsed) {
      a.reason = reason;
      a.hashUsed = !!hashUsed;
      if (variation >= 0 && variation < vars.length) {
        a.inExperiment = true;
        a.variationId = variation;
        a.value = vars[variation];
      }
      return a;
    }
    if (vars.length < 2) return result('too_few_variations');
    if (e.active === false) return result('inactive');
    if (e.start != null && now < e.start) return result('not_started');
    if (e.stop != null && now >= e.stop) return result('stopped');
    if (!hv) return result('no_hash_value');
    if (e.filters && e.filters.length) {
      for (i = 0; i < e.filters.length; i++) {
        var f = e.filters[i], fv = hashValue(attributes, f.attribute);
        n = fv && hash(f.seed, fv, f.hashVersion == null ? 2 : f.hashVersion);
        if (n == null || n === '' || chooseVariation(n, f.ranges) < 0) return result('filtered');
      }
    } else if (e.namespace && !inNamespace(hv, e.namespace)) {
      return result('namespace');
    }
    if (e.condition != null && !evalCondition(attributes, e.condition)) return result('condition');
    if (h && h.fraction > 0) {
      n = hash(h.seed || '__holdout__' + seed, hv, 2);
      if (n < h.fraction) {
        a.holdout = true;
        a.variationId = -1;
        a.value = null;
        a.bucket = n;
        return result('holdout', -1, true);
      }
    }
    n = hash(seed, hv, e.hashVersion == null ? 1 : e.hashVersion);
    if (n == null) return result('unknown_hash_version');
    i = chooseVariation(n, e.ranges && e.ranges.length ? e.ranges
      : getBucketRanges(vars.length, e.coverage == null ? 1 : e.coverage, e.weights));
    if (i < 0) return result('coverage');
    if (e.force != null) return result('forced', e.force);
    a.bucket = n;
    return result('assigned', i, true);
  }

  return { hash: hash, getEqualWeights: getEqualWeights, getBucketRanges: getBucketRanges,
    chooseVariation: chooseVariation, inNamespace: inNamespace, evalCondition: evalCondition,
    paddedVersionString: paddedVersionString, assign: assign };
})();
