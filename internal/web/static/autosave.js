// Autosave: every 20 seconds after a change, the evaluation form is saved as
// a draft in the background, so that nothing typed is lost if the browser is
// closed. Without JavaScript the "Spara utkast" button does the same.
(function () {
  var form = document.getElementById('evaluation-form');
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById('autosave-status');
  var dirty = false, busy = false;
  // Each autosave carries the form's idempotency key, ".a" and a number
  // that moves on once a save is answered: a save that got no answer is
  // sent again under the same key, and if the first had been stored the
  // server replays its answer (Idempotent-Replayed) and the newest content
  // is saved again under the next key.
  var key = form.elements.idem ? form.elements.idem.value : '', seq = 1;
  form.addEventListener('input', function () { dirty = true; });
  form.addEventListener('change', function () { dirty = true; });
  form.addEventListener('submit', function () { dirty = false; });
  function save() {
    if (!dirty || busy) { return; }
    busy = true; dirty = false;
    var data = new FormData(form);
    data.set('atgard', 'utkast');
    if (key) { data.set('idem', key + '.a' + seq); }
    var replayed = false;
    fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(data), headers: { 'X-Autosave': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        replayed = r.headers.get('Idempotent-Replayed') === 'true';
        return r.json();
      })
      .then(function (res) {
        seq++;
        if (replayed) { dirty = true; }
        if (res.action) { form.setAttribute('action', res.action); }
        var t = new Date();
        status.textContent = 'Utkastet sparades automatiskt ' + t.toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit' }) + '.';
      })
      .catch(function () { dirty = true; status.textContent = 'Utkastet kunde inte sparas automatiskt. Använd knappen Spara utkast.'; })
      .then(function () { busy = false; });
  }
  setInterval(save, 20000);
})();
