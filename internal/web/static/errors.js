// A refused form's error summary (role=alert) takes the focus when the page
// loads, so that a screen reader reads it first and Tab goes on to its
// links, each of which leads to its field. The summary's autofocus does the
// same without JavaScript in browsers that honour it.
(function () {
  'use strict';
  var summary = document.getElementById('felsammanfattning') || document.getElementById('fel');
  if (!summary || summary.getAttribute('role') !== 'alert' || document.activeElement === summary) { return; }
  summary.focus();
})();
