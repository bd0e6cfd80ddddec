// The case rule form shows only the parameters of the chosen kind. Each fieldset names
// the kinds it belongs to in data-kind; without this script all are shown and the server
// reads only the chosen kind's fields.
(function () {
  "use strict";

  function sync(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    var sets = form.querySelectorAll("fieldset.rule-params");
    for (var i = 0; i < sets.length; i++) {
      var kinds = (sets[i].getAttribute("data-kind") || "").split(" ");
      var shown = kinds.indexOf(select.value) !== -1;
      sets[i].hidden = !shown;
      sets[i].disabled = !shown;
    }
  }

  function init() {
    var selects = document.querySelectorAll("select.rule-kind");
    for (var i = 0; i < selects.length; i++) {
      sync(selects[i]);
      selects[i].addEventListener("change", function (event) {
        sync(event.target);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
