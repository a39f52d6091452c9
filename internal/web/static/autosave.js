// Autosave: the evaluation form is saved as a draft in the background about
// two seconds after the last change, and at once when the page is hidden or
// left (another tab, the tab or browser closed, a link followed), so that
// nothing typed is lost. Without JavaScript the "Spara utkast" button does
// the same.
//
// "Avbryt" on a new evaluation throws away the draft autosave made of it
// (asking first when something was filled in); on an existing evaluation it
// just leaves.
(function () {
  'use strict';
  var form = document.getElementById('evaluation-form');
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams || !window.Promise) { return; }
  var status = document.getElementById('autosave-status');
  var cancel = document.getElementById('avbryt');
  var isNew = form.getAttribute('data-new') === 'true';
  var newAction = form.getAttribute('action');
  var DELAY = 2000;        // ms after the last keystroke
  var KEEPALIVE_MAX = 60000; // bytes a keepalive request may carry (browsers allow 64 kB)

  var timer = null;
  var dirty = false;       // changed since the last save began
  var saving = null;       // the save under way (a promise that never rejects)
  var adding = false;      // that save adds the evaluation (it has no id yet)
  var stopped = false;     // the form was sent or thrown away: save no more
  var submitter = null;    // a Spara pressed while the evaluation was being added
  var initial = fields();
  // The version the form was loaded with, sent with every save; each
  // autosave that succeeds moves it on, so a tab never conflicts with itself.
  var version = form.querySelector('input[name=version]');
  // Each autosave carries the form's idempotency key, ".a" and a number
  // that moves on once a save is answered: a save that got no answer is
  // sent again under the same key, and if the first had been stored the
  // server replays its answer (Idempotent-Replayed) and the newest content
  // is saved again under the next key. A save sent while another is still
  // under way (the page being left) gets a key of its own, so that it is
  // not taken for a repeat of the first and its newer text kept.
  var key = form.elements.idem ? form.elements.idem.value : '';
  var seq = 1;

  // fields is the form's content as it would be sent, to tell whether
  // anything was filled in.
  function fields() {
    var data = new FormData(form);
    data.delete('csrf');
    return new URLSearchParams(data).toString();
  }

  function adds(action) { return /\/ny$/.test(action); }

  function show(text) { if (status) { status.textContent = text; } }

  // clock is the time of day in Swedish time, with its zone: "14:05 CET".
  function clock(d) {
    var opts = { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm', timeZoneName: 'short' };
    try {
      return d.toLocaleTimeString('sv-SE', opts);
    } catch (e) {
      return d.toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit' });
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, DELAY);
  }

  function changed() {
    if (stopped) { return; }
    dirty = true;
    schedule();
  }

  // save sends the form as a draft. leaving says the page is going away:
  // the request is sent with keepalive so that it outlives the page.
  function save(leaving) {
    clearTimeout(timer);
    timer = null;
    if (stopped || !dirty) { return; }
    // While the evaluation is being added, a second request would add it
    // twice: what changed since is saved once it has an id.
    if (saving && (adding || !leaving)) { return; }
    dirty = false;
    var action = form.getAttribute('action');
    var data = new FormData(form);
    data.set('atgard', 'utkast');
    if (key) { data.set('idem', key + '.a' + seq + (saving ? '.' + Date.now() : '')); }
    var replayed = false;
    var body = new URLSearchParams(data).toString();
    var opts = {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', 'X-Autosave': '1' },
      keepalive: body.length < KEEPALIVE_MAX
    };
    adding = adds(action);
    var p = fetch(action, opts)
      .then(function (r) {
        if (r.status === 409) {
          // Someone else changed the evaluation (the server says so in
          // JSON), or it cannot be changed now: stop autosaving and keep
          // everything typed in the form; Spara merges or shows the conflict.
          return r.json().catch(function () { return {}; }).then(function (res) {
            stopped = true;
            show((res && res.conflict && res.message) || 'Utkastet kunde inte sparas automatiskt. Din text finns kvar här.');
            return null;
          });
        }
        if (!r.ok) { throw new Error('status ' + r.status); }
        replayed = r.headers.get('Idempotent-Replayed') === 'true';
        return r.json();
      })
      .then(function (res) {
        if (!res) { return; }
        seq++;
        if (replayed) { dirty = true; }
        if (res.action) { form.setAttribute('action', res.action); }
        if (res.version && version) { version.value = res.version; }
        show('Utkastet sparades automatiskt kl. ' + clock(new Date()) + '.');
      }, function () {
        dirty = true;
        show('Utkastet kunde inte sparas automatiskt. Använd knappen Spara utkast.');
      })
      .then(function () {
        adding = false;
        saving = null;
        if (submitter) {
          var s = submitter;
          submitter = null;
          send(s);
        } else if (dirty && !stopped) {
          schedule();
        }
      });
    saving = p;
  }

  // send submits the form as if the button s had been pressed.
  function send(s) {
    if (form.requestSubmit) {
      form.requestSubmit(s && s.form === form ? s : undefined);
      return;
    }
    if (s && s.name) {
      var h = document.createElement('input');
      h.type = 'hidden';
      h.name = s.name;
      h.value = s.value;
      form.appendChild(h);
    }
    stopped = true;
    form.submit();
  }

  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  form.addEventListener('submit', function (e) {
    clearTimeout(timer);
    if (saving) {
      // Wait for the autosave under way: Spara then stores into the draft
      // it added (instead of adding the evaluation a second time) and
      // carries the version it moved on to (instead of conflicting with
      // this tab's own autosave).
      e.preventDefault();
      submitter = e.submitter || submitter || form.querySelector('button[type=submit]');
      return;
    }
    stopped = true;
    dirty = false;
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') { save(true); }
  });
  window.addEventListener('pagehide', function () { save(true); });
  window.addEventListener('pageshow', function (e) {
    // Back to a page the browser kept in memory: it may be edited again.
    if (e.persisted) { stopped = false; }
  });

  if (cancel && isNew) {
    cancel.addEventListener('click', function (e) {
      // Something to lose: typed now, saved by autosave, or a refused form
      // shown again with what was typed.
      var filled = dirty || saving || !adds(form.getAttribute('action')) || fields() !== initial ||
        form.getAttribute('data-filled') === 'true';
      if (!filled) { stopped = true; return; }
      e.preventDefault();
      if (!window.confirm('Vill du slänga den nya utvärderingen? Det du har fyllt i sparas inte.')) { return; }
      stopped = true;
      dirty = false;
      clearTimeout(timer);
      var leave = function () { window.location.assign(cancel.href); };
      Promise.resolve(saving).then(function () {
        var action = form.getAttribute('action');
        if (adds(action)) { return; } // autosave added nothing
        // Autosave added the evaluation: delete it through the form's own
        // delete route (with the form's CSRF field, for staff).
        var data = new URLSearchParams();
        var csrf = form.querySelector('input[name=csrf]');
        if (csrf) { data.set('csrf', csrf.value); }
        return fetch(action + '/ta-bort', { method: 'POST', body: data.toString(), credentials: 'same-origin',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' } })
          .then(function (r) {
            if (!r.ok) { throw new Error('status ' + r.status); }
            form.setAttribute('action', newAction);
          });
      }).then(leave, function () {
        stopped = false;
        show('Utkastet kunde inte tas bort. Försök igen, eller ta bort det från enhetens sida.');
      });
    });
  }
})();
