// Autosave: every 20 seconds after a change, the evaluation form is saved as
// a draft in the background, so that nothing typed is lost if the browser is
// closed. Without JavaScript the "Spara utkast" button does the same.
(function () {
  var form = document.getElementById('evaluation-form');
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById('autosave-status');
  // The version the form was loaded with, sent with every save; each
  // autosave that succeeds moves it on, so a tab never conflicts with itself.
  var version = form.querySelector('input[name=version]');
  var dirty = false, busy = false, stopped = false;
  form.addEventListener('input', function () { dirty = true; });
  form.addEventListener('change', function () { dirty = true; });
  form.addEventListener('submit', function () { dirty = false; });
  function save() {
    if (!dirty || busy || stopped) { return; }
    busy = true; dirty = false;
    var data = new FormData(form);
    data.set('atgard', 'utkast');
    fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(data), headers: { 'X-Autosave': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 409) {
          // Someone else changed the evaluation (the server says so in
          // JSON), or it cannot be changed now: stop autosaving and keep
          // everything typed in the form; Spara merges or shows the conflict.
          return r.json().catch(function () { return {}; }).then(function (res) {
            stopped = true;
            status.textContent = (res && res.conflict && res.message) || 'Utkastet kunde inte sparas automatiskt. Din text finns kvar här.';
            return null;
          });
        }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (res) {
        if (!res) { return; }
        if (res.action) { form.setAttribute('action', res.action); }
        if (res.version && version) { version.value = res.version; }
        var t = new Date();
        status.textContent = 'Utkastet sparades automatiskt ' + t.toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit' }) + '.';
      })
      .catch(function () { dirty = true; status.textContent = 'Utkastet kunde inte sparas automatiskt. Använd knappen Spara utkast.'; })
      .then(function () { busy = false; });
  }
  setInterval(save, 20000);
})();
