// Small progressive enhancements. Every page works without this file; the CSP allows
// scripts from this origin only, so behaviour lives here and never inline in HTML.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // "Copy" buttons next to a value shown once (a new API key). Hidden without JS.
  function enableCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.value).then(function () {
          button.textContent = button.getAttribute("data-copied") || button.textContent;
        });
      });
    });
    root.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    });
  }

  // htmx leaves the page as it was when a request fails (403, 500, network); say so.
  function reportFailedRequests() {
    var box = document.querySelector(".live-error");
    if (!box) {
      return;
    }
    var message = document.body.getAttribute("data-request-failed") || "";
    function show() {
      box.textContent = message;
      box.hidden = false;
    }
    document.body.addEventListener("htmx:responseError", show);
    document.body.addEventListener("htmx:sendError", show);
  }

  onReady(function () {
    enableCopyButtons(document);
    reportFailedRequests();
  });
})();
