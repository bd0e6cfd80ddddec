// Draws the Vega-Lite charts of the journey pages. Each chart's specification is a JSON
// data block next to its container (built on the server, labels already in the reader's
// language). The CSP forbids eval, so Vega runs its expressions with the interpreter
// (vendor/vega-interpreter.js) instead of compiling them to functions.
(function () {
  "use strict";

  // d3-format locales: Finnish uses a decimal comma and a no-break space for thousands.
  var FORMAT_LOCALES = {
    fi: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0€"], percent: "\u00a0%", minus: "\u2212" },
    en: { decimal: ".", thousands: ",", grouping: [3], currency: ["€", ""] }
  };

  function draw(container, locale) {
    var block = document.getElementById(container.getAttribute("data-chart"));
    if (!block) {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(block.textContent);
    } catch (e) {
      return;
    }
    window.vegaEmbed(container, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: window.vega.expressionInterpreter,
      formatLocale: FORMAT_LOCALES[locale] || FORMAT_LOCALES.en
    }).then(function () {
      container.classList.add("chart-ready");
    }).catch(function (error) {
      container.classList.add("chart-failed");
      if (window.console) {
        window.console.warn("chart", error);
      }
    });
  }

  function start() {
    if (!window.vegaEmbed || !window.vega || !window.vega.expressionInterpreter) {
      return;
    }
    var root = document.querySelector("[data-chart-locale]");
    var locale = root ? root.getAttribute("data-chart-locale") : document.documentElement.lang;
    document.querySelectorAll("[data-chart]").forEach(function (container) {
      draw(container, locale);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
