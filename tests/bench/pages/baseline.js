// The baseline for time-to-greeting: plain JS fetches a greeting the server already computed.
fetch('/greeting.json', { credentials: 'omit' }).then(function (r) { return r.json(); }).then(function (g) {
  var el = document.querySelector('[data-greeting]');
  el.textContent = g.text;
  el.setAttribute('data-done', '');
});
