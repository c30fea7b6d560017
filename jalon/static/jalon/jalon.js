// Jalon's own behaviour, as a file: the Content-Security-Policy refuses inline scripts.
(function () {
  "use strict";
  // The error summary of a failed form is read first (GOV.UK pattern): focus it on load and
  // after htmx puts a form back with its errors.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSettle", function (event) { focusErrorSummary(event.target); });
})();
