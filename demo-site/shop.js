/* Ashna Coffee & Tea — shop code. Always reads window.ashna at call time,
   because the real SDK replaces the stub object once /ashna.js has loaded. */
(function () {
  'use strict';

  function setStatus(el, text, isError) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle('is-error', !!isError);
  }

  function initNameForm() {
    var form = document.getElementById('name-form');
    if (!form) return;
    var input = document.getElementById('name-input');
    var status = document.getElementById('name-status');

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var name = input ? input.value : '';
      var result;
      try {
        result = window.ashna.profile.update({ name: name });
      } catch (err) {
        setStatus(status, 'Could not save', true);
        return;
      }
      // Queued calls only settle once /ashna.js loads, so confirm right away
      // and only correct the message if the SDK later rejects the update.
      setStatus(status, 'Saved', false);
      Promise.resolve(result).catch(function () {
        setStatus(status, 'Could not save', true);
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', initNameForm);
  } else {
    initNameForm();
  }
})();
