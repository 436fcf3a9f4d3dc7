// The customer-value dashboard: reads GET /v1/stats, GET /v1/profiles and the experiments'
// reports with the site's secret key and draws SVG. Everything from the server is inserted as text (textContent), never as HTML.
'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var SEGMENTS = ['champions', 'loyal', 'potential_loyalist', 'new', 'at_risk', 'cant_lose', 'hibernating', 'lost', 'none'];
  var COLORS = { champions: '#0b6e4f', loyal: '#2f9e6e', potential_loyalist: '#7cc4a0', new: '#4a90d9',
    at_risk: '#c77d00', cant_lose: '#b3261e', hibernating: '#8d6e63', lost: '#9aa5b1', none: '#d5dbe1' };
  var TIERS = { high: '#0b6e4f', medium: '#c77d00', low: '#9aa5b1' };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var n = document.createElementNS(SVG, tag);
    for (var k in attrs) n.setAttribute(k, String(attrs[k]));
    if (text !== undefined) n.textContent = String(text);
    return n;
  }
  function svg(w, h) { return el('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img' }); }
  function label(s) { return s.replace(/_/g, ' '); }
  function money(v) { return (Math.round(v * 100) / 100).toFixed(2); }
  function status(text, error) { var s = $('status'); s.textContent = text; s.className = error ? 'error' : ''; }
  function put(id, node) { var box = $(id); box.textContent = ''; box.appendChild(node); }

  function api(path, key) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + key }, credentials: 'omit' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + r.status);
        return body;
      });
    });
  }

  function model(stats) {
    var dl = $('model'); dl.textContent = '';
    var m = stats.model;
    var rows = [
      ['Profiles read', stats.profiles + (stats.complete ? '' : ' (first ' + stats.profiles + ' only)')],
      ['Fitted', m.fitted_at ? new Date(m.fitted_at).toLocaleString() : 'never (defaults)'],
      ['Customers in the fit', m.customers],
      ['Value model', m.value ? 'BG/NBD + Gamma-Gamma' : 'not fitted' + (m.note ? ': ' + m.note : '')]
    ];
    rows.forEach(function (r) {
      var dt = document.createElement('dt'); dt.textContent = r[0];
      var dd = document.createElement('dd'); dd.textContent = r[1];
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }

  // 5 x 5 heat map: recency score across, frequency score up; darker = more customers.
  function grid(stats) {
    var s = svg(360, 330), cell = 56, x0 = 40, y0 = 10, max = 1;
    stats.grid.forEach(function (row) { row.forEach(function (n) { max = Math.max(max, n); }); });
    for (var r = 0; r < 5; r++) for (var f = 0; f < 5; f++) {
      var n = stats.grid[r][f], x = x0 + r * cell, y = y0 + (4 - f) * cell;
      var g = el('g');
      g.appendChild(el('rect', { x: x, y: y, width: cell - 2, height: cell - 2, fill: '#0b6e4f',
        'fill-opacity': (0.08 + 0.92 * n / max).toFixed(3) }));
      g.appendChild(el('text', { x: x + cell / 2 - 1, y: y + cell / 2 + 4, 'text-anchor': 'middle',
        fill: n / max > 0.5 ? '#fff' : '#1d232b' }, n));
      g.appendChild(el('title', {}, 'R ' + (r + 1) + ', F ' + (f + 1) + ': ' + n + ' customers'));
      s.appendChild(g);
    }
    for (var i = 0; i < 5; i++) {
      s.appendChild(el('text', { x: x0 + i * cell + cell / 2, y: y0 + 5 * cell + 14, 'text-anchor': 'middle' }, 'R' + (i + 1)));
      s.appendChild(el('text', { x: x0 - 8, y: y0 + (4 - i) * cell + cell / 2 + 4, 'text-anchor': 'end' }, 'F' + (i + 1)));
    }
    s.appendChild(el('text', { x: x0 + 2.5 * cell, y: 326, 'text-anchor': 'middle' }, 'recency score (5 = most recent)'));
    put('grid', s);
  }

  function bars(id, names, values, colors, format) {
    var h = 24 * names.length + 10, s = svg(520, h), max = Math.max.apply(null, values.concat([1]));
    names.forEach(function (name, i) {
      var y = 5 + i * 24, w = 300 * values[i] / max;
      s.appendChild(el('text', { x: 150, y: y + 15, 'text-anchor': 'end' }, name));
      s.appendChild(el('rect', { x: 158, y: y + 3, width: Math.max(w, 1), height: 16, fill: colors[i] }));
      s.appendChild(el('text', { x: 164 + w, y: y + 15 }, format ? format(values[i]) : values[i]));
    });
    put(id, s);
  }

  function segments(stats) {
    bars('segments', SEGMENTS.map(label), SEGMENTS.map(function (k) { return stats.segments[k] || 0; }),
      SEGMENTS.map(function (k) { return COLORS[k]; }));
  }

  function clv(stats) {
    if (!stats.clv) { put('clv', document.createTextNode('No value model yet: fit the site first.')); return; }
    var c = stats.clv, n = c.counts.length, w = 520, h = 240, x0 = 40, y0 = 10, bw = (w - x0 - 10) / n;
    var s = svg(w, h), max = Math.max.apply(null, c.counts.concat([1]));
    c.counts.forEach(function (k, i) {
      var bh = (h - 60) * k / max;
      var bar = el('rect', { x: x0 + i * bw, y: y0 + (h - 60) - bh, width: bw - 2, height: bh, fill: '#4a90d9' });
      bar.appendChild(el('title', {}, money(i * c.bin_width) + '–' + money((i + 1) * c.bin_width) + ': ' + k));
      s.appendChild(bar);
    });
    [0, n / 2, n].forEach(function (i) {
      s.appendChild(el('text', { x: x0 + i * bw, y: h - 34, 'text-anchor': i === n ? 'end' : 'middle' },
        money(i * c.bin_width) + (i === n ? '+' : '')));
    });
    s.appendChild(el('line', { class: 'axis', x1: x0, y1: y0 + h - 60, x2: w - 10, y2: y0 + h - 60 }));
    s.appendChild(el('text', { x: x0, y: h - 8 }, 'CLV over 12 months: median ' + money(c.median) +
      ' · 80th percentile ' + money(c.p80)));
    put('clv', s);
  }

  function alive(stats) {
    var w = 520, h = 260, x0 = 40, y0 = 10, pw = w - x0 - 10, ph = h - 50, s = svg(w, h), maxR = 1;
    stats.alive.forEach(function (p) { maxR = Math.max(maxR, p[0]); });
    stats.alive.forEach(function (p) {
      var dot = el('circle', { cx: x0 + pw * p[0] / maxR, cy: y0 + ph * (1 - p[1]), r: 3, fill: TIERS[p[2]] || '#999',
        'fill-opacity': 0.7 });
      dot.appendChild(el('title', {}, p[0] + ' days, P(alive) ' + p[1].toFixed(2) + ', ' + p[2]));
      s.appendChild(dot);
    });
    s.appendChild(el('line', { class: 'axis', x1: x0, y1: y0 + ph, x2: x0 + pw, y2: y0 + ph }));
    s.appendChild(el('line', { class: 'axis', x1: x0, y1: y0, x2: x0, y2: y0 + ph }));
    s.appendChild(el('text', { x: x0 - 6, y: y0 + 8, 'text-anchor': 'end' }, '1'));
    s.appendChild(el('text', { x: x0 - 6, y: y0 + ph, 'text-anchor': 'end' }, '0'));
    s.appendChild(el('text', { x: x0 + pw, y: y0 + ph + 16, 'text-anchor': 'end' }, maxR + ' days'));
    var lx = x0 + 10;
    ['high', 'medium', 'low'].forEach(function (t) {
      s.appendChild(el('circle', { cx: lx, cy: h - 12, r: 4, fill: TIERS[t] }));
      s.appendChild(el('text', { x: lx + 8, y: h - 8 }, t + ' value'));
      lx += 120;
    });
    put('alive', s);
  }

  function history(stats) {
    var hist = stats.history;
    if (hist.length < 2) { put('history', document.createTextNode(hist.length ? 'One fit so far: the line starts with the next one.' : 'No fit yet.')); return; }
    var w = 520, h = 260, x0 = 40, y0 = 10, pw = w - x0 - 130, ph = h - 50, s = svg(w, h), max = 1;
    var t0 = hist[0].fitted_at, t1 = hist[hist.length - 1].fitted_at;
    hist.forEach(function (e) { SEGMENTS.forEach(function (k) { max = Math.max(max, e.segments[k] || 0); }); });
    SEGMENTS.forEach(function (k, i) {
      var pts = hist.map(function (e) {
        return (x0 + pw * (e.fitted_at - t0) / (t1 - t0)).toFixed(1) + ',' + (y0 + ph * (1 - (e.segments[k] || 0) / max)).toFixed(1);
      });
      s.appendChild(el('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[k], 'stroke-width': 2 }));
      s.appendChild(el('text', { x: x0 + pw + 10, y: y0 + 12 + i * 16, fill: COLORS[k] }, label(k)));
    });
    s.appendChild(el('text', { x: x0, y: h - 20 }, new Date(t0).toLocaleDateString()));
    s.appendChild(el('text', { x: x0 + pw, y: h - 20, 'text-anchor': 'end' }, new Date(t1).toLocaleDateString()));
    put('history', s);
  }

  function risk(list) {
    var body = $('risk').tBodies[0]; body.textContent = '';
    if (!list.profiles.length) {
      var tr = body.insertRow(), td = tr.insertCell(); td.colSpan = 7; td.textContent = 'Nobody right now.';
      return;
    }
    list.profiles.forEach(function (p) {
      var tr = body.insertRow(), last = p.last_activity ? Math.floor((Date.now() - p.last_activity) / 864e5) : '';
      [p.id, label(p.segment), p.orders, money(p.monetary), last, p.value.p_alive.toFixed(2), money(p.value.clv)]
        .forEach(function (v, i) { var td = tr.insertCell(); td.textContent = String(v); if (i > 1) td.className = 'num'; });
    });
  }

  function pct(v) { return v == null ? '–' : (Math.round(v * 1000) / 10) + '%'; }
  function signed(v) { return (v > 0 ? '+' : '') + pct(v); }

  // One experiment: a table of its variations, and the relative conversion lift of each over the
  // control as a point with its 95% interval (green: the interval is above 0, red: below).
  function experiment(def, report) {
    var box = document.createElement('article');
    var h = document.createElement('h3');
    h.textContent = def.key + ' — slot ' + def.slot + (def.active === false ? ' (stopped)' : '');
    box.appendChild(h);
    var note = document.createElement('p');
    note.className = 'hint';
    var srm = report.sample_ratio && report.sample_ratio.srm;
    note.textContent = report.visitors + ' visitors' + (report.mixed_visitors ? ', ' + report.mixed_visitors + ' saw more than one variation' : '') +
      (srm ? '. Sample ratio mismatch (p = ' + report.sample_ratio.p_value + '): do not trust the lifts until the cause is found.' :
        report.insufficient_data ? '. Not enough data for a comparison yet.' : '.');
    if (srm) note.className = 'hint error';
    box.appendChild(note);

    var table = document.createElement('table'), head = table.createTHead().insertRow();
    ['Variation', 'Weight', 'Visitors', 'Conversions', 'Rate', 'Revenue / visitor', 'Negative', 'Lift (95% CI)'].forEach(function (t, i) {
      var th = document.createElement('th'); th.textContent = t; if (i) th.className = 'num'; head.appendChild(th);
    });
    var lifts = {};
    (report.comparisons || []).forEach(function (c) { lifts[c.variation] = c.conversion && c.conversion.relative; });
    var body = table.createTBody();
    report.variations.forEach(function (v) {
      var l = lifts[v.variation];
      var lift = v.variation === 0 ? 'control' : l && l.value != null ?
        signed(l.value) + ' (' + signed(l.ci && l.ci[0]) + ' to ' + signed(l.ci && l.ci[1]) + ')' : '–';
      var tr = body.insertRow();
      [v.variation, v.weight, v.visitors, v.conversions, pct(v.conversion_rate), money(v.revenue_per_visitor || 0), pct(v.negative_rate), lift]
        .forEach(function (x, i) { var td = tr.insertCell(); td.textContent = String(x); if (i) td.className = 'num'; });
    });
    box.appendChild(table);

    var rows = report.variations.filter(function (v) { var l = lifts[v.variation]; return v.variation && l && l.ci && l.ci[0] != null; });
    if (rows.length) {
      var lo = -0.1, hi = 0.1;
      rows.forEach(function (v) { lo = Math.min(lo, lifts[v.variation].ci[0]); hi = Math.max(hi, lifts[v.variation].ci[1]); });
      var W = 520, H = 30 + rows.length * 28, L = 90, R = 30, s = svg(W, H);
      s.setAttribute('class', 'forest');
      var x = function (f) { return L + (f - lo) / (hi - lo) * (W - L - R); };
      s.appendChild(el('line', { x1: x(0), x2: x(0), y1: 6, y2: H - 18, class: 'axis' }));
      s.appendChild(el('text', { x: x(0), y: H - 4, 'text-anchor': 'middle' }, '0%'));
      if (x(0) - x(lo) > 50) s.appendChild(el('text', { x: x(lo), y: H - 4, 'text-anchor': 'start' }, pct(lo)));
      if (x(hi) - x(0) > 50) s.appendChild(el('text', { x: x(hi), y: H - 4, 'text-anchor': 'end' }, signed(hi)));
      rows.forEach(function (v, i) {
        var l = lifts[v.variation], y = 20 + i * 28;
        var color = l.ci[0] > 0 ? '#0b6e4f' : l.ci[1] < 0 ? '#b3261e' : '#5a6673';
        s.appendChild(el('text', { x: 4, y: y + 4 }, 'variation ' + v.variation));
        s.appendChild(el('line', { x1: x(l.ci[0]), x2: x(l.ci[1]), y1: y, y2: y, stroke: color, 'stroke-width': 3, class: 'ci' }));
        s.appendChild(el('circle', { cx: x(l.value), cy: y, r: 5, fill: color }, 'lift ' + signed(l.value)));
      });
      box.appendChild(s);
    }
    return box;
  }

  function experiments(key) {
    return api('/v1/experiments', key).then(function (list) {
      return Promise.all(list.experiments.map(function (def) {
        return api('/v1/experiments/' + encodeURIComponent(def.key) + '/report', key).then(function (r) { return [def, r]; });
      }));
    }).then(function (pairs) {
      var box = $('experiments'); box.textContent = '';
      if (!pairs.length) box.textContent = 'No experiments defined (PUT /v1/experiments/{key}).';
      pairs.forEach(function (p) { box.appendChild(experiment(p[0], p[1])); });
    });
  }

  function show(key) {
    status('Reading profiles…');
    return Promise.all([api('/v1/stats', key), api('/v1/profiles?tier=high&max_p_alive=0.5&limit=20', key), experiments(key)])
      .then(function (r) {
        [model, grid, segments, clv, alive, history].forEach(function (draw) { draw(r[0]); });
        risk(r[1]);
        $('board').hidden = false;
        status('Updated ' + new Date().toLocaleTimeString() + '.');
      }, function (e) { status(String(e.message), true); });
  }

  $('login').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('secret').value.trim();
    sessionStorage.setItem('ashna-dashboard-key', key);
    show(key);
  });
  var saved = sessionStorage.getItem('ashna-dashboard-key');
  if (saved) { $('secret').value = saved; show(saved); }
})();
