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

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    // After a form comes back with errors, move focus to the error summary so it is read out.
    var summary = target.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      return;
    }
    // After paging, continue from the top of the new page of the list, not from <body>.
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.closest && trigger.closest(".pager")) {
      var list = document.getElementById(target.id) || target;
      list.setAttribute("tabindex", "-1");
      list.focus({ preventScroll: true });
    }
  });

  // Without htmx the server renders the error summary; focus it on load too.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });
})();
