// Small enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  // Tell assistive technology which region is loading while an htmx request runs.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
  });

  // After a form comes back with errors, move focus to the error summary so it is read out.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target.querySelector(".error-summary");
    if (summary) summary.focus();
  });

  // Without htmx the server renders the error summary; focus it on load too.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
