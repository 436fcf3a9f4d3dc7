/* Ashna snippet: defines window.ashna at once, so page code can call it before /ashna.js has
 * loaded; calls are queued and replayed by the loader, and each returns a Promise. Inline it, or
 * load it as /ashna-snippet.js on sites whose CSP forbids inline scripts. */
(function (w) {
  if (w.ashna) return;
  var q = [], a = { q: q, snippet: 1 };
  function stub(name) { return function () { var args = [].slice.call(arguments); return new Promise(function (res, rej) { q.push([name, args, res, rej]); }); }; }
  ['track', 'page', 'purchase', 'identify', 'reset', 'greeting', 'recommend', 'offer', 'views', 'sync', 'on'].forEach(function (m) { a[m] = stub(m); });
  a.profile = { get: stub('profile.get'), update: stub('profile.update'), erase: stub('profile.erase') };
  a.consent = { get: stub('consent.get'), set: stub('consent.set') };
  w.ashna = a;
})(window);
