// Progressive enhancement of the survey pages (they work without it): questions whose
// show-if condition reads another question of the same page appear and disappear as
// that question is answered, and an error summary takes the focus after a failed send.
(function () {
  "use strict";
  var form = document.querySelector("form[action^='/s/']");
  if (!form) return;

  function answerOf(key) {
    var inputs = form.querySelectorAll("[name='q:" + key + "'], [name^='q:" + key + ":experienced']");
    var values = [];
    inputs.forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value !== "") values.push(el.value);
    });
    if (!values.length) return null;
    var multi = inputs.length && inputs[0].type === "checkbox";
    var parse = function (v) {
      if (v === "yes") return true;
      if (v === "no") return false;
      return /^-?\d+$/.test(v) ? Number(v) : v;
    };
    return multi ? values : parse(values[0]);
  }

  function holds(cond, answer) {
    if (cond.op === "answered") return answer !== null;
    if (cond.op === "not_answered") return answer === null;
    if (answer === null) return false;
    var value = cond.value;
    if (Array.isArray(answer)) {
      if (cond.op === "in" && Array.isArray(value)) return answer.some(function (a) { return value.indexOf(a) >= 0; });
      return cond.op === "eq" ? answer.indexOf(value) >= 0 : answer.indexOf(value) < 0;
    }
    switch (cond.op) {
      case "eq": return answer === value;
      case "ne": return answer !== value;
      case "in": return (Array.isArray(value) ? value : [value]).indexOf(answer) >= 0;
      case "lt": return answer < value;
      case "le": return answer <= value;
      case "gt": return answer > value;
      case "ge": return answer >= value;
    }
    return false;
  }

  var dependants = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  function update() {
    dependants.forEach(function (el) {
      var cond = JSON.parse(el.getAttribute("data-show-if"));
      var parent = document.getElementById("q-" + cond.question);
      var shown = !(parent && parent.hidden) && holds(cond, answerOf(cond.question));
      el.hidden = !shown;
    });
  }
  if (dependants.length) {
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
