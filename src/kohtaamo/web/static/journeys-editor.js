// Drag and drop for the journey editor: touchpoints between and within stages, and whole
// stages left and right. Each drop posts to the same address as the page's buttons (with
// the page's CSRF token in the header) and puts the editor the server answers with in
// place, so the page always shows what was saved. Without this file the buttons work.
(function () {
  "use strict";

  var board = document.getElementById("editor-board");
  if (!board || !("draggable" in document.createElement("span"))) {
    return;
  }
  var dragged = null; // {kind: "touchpoint"|"stage", id, element}

  function showError(message) {
    var box = document.querySelector(".live-error");
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }

  function send(url, fields) {
    var current = document.getElementById("editor-board");
    var body = new URLSearchParams(fields);
    current.classList.add("is-saving");
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": current.getAttribute("data-csrf") },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("editor-board");
        if (!response.ok) {
          var problem = doc.querySelector(".field-error, .alert-error, .problem p");
          showError(problem ? problem.textContent : current.getAttribute("data-drag-failed"));
        }
        if (fresh) {
          current.replaceWith(fresh);
          board = fresh;
          wire(fresh);
        } else {
          current.classList.remove("is-saving");
        }
      });
    }).catch(function () {
      current.classList.remove("is-saving");
      showError(current.getAttribute("data-drag-failed"));
    });
  }

  // The card (or stage) before which the pointer is, in a list laid out along `axis`.
  function itemAfter(list, selector, coordinate, axis) {
    var items = Array.prototype.filter.call(list.querySelectorAll(selector), function (el) {
      return !el.classList.contains("is-dragging");
    });
    for (var i = 0; i < items.length; i++) {
      var box = items[i].getBoundingClientRect();
      var middle = axis === "y" ? box.top + box.height / 2 : box.left + box.width / 2;
      if (coordinate < middle) {
        return { element: items[i], index: i };
      }
    }
    return { element: null, index: items.length };
  }

  function clearMarks(root) {
    root.querySelectorAll(".drop-before, .drop-end").forEach(function (el) {
      el.classList.remove("drop-before", "drop-end");
    });
  }

  function wire(root) {
    var journey = root.getAttribute("data-journey");

    root.querySelectorAll(".tp-card").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        if (event.target !== card) {
          return;
        }
        dragged = { kind: "touchpoint", id: card.getAttribute("data-touchpoint-id"), element: card };
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.id);
        card.classList.add("is-dragging");
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("is-dragging");
        clearMarks(root);
      });
    });

    root.querySelectorAll(".tp-list").forEach(function (list) {
      list.addEventListener("dragover", function (event) {
        if (!dragged || dragged.kind !== "touchpoint") {
          return;
        }
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        clearMarks(root);
        var spot = itemAfter(list, ".tp-card", event.clientY, "y");
        if (spot.element) {
          spot.element.classList.add("drop-before");
        } else {
          list.classList.add("drop-end");
        }
      });
      list.addEventListener("dragleave", function (event) {
        if (!list.contains(event.relatedTarget)) {
          list.classList.remove("drop-end");
        }
      });
      list.addEventListener("drop", function (event) {
        if (!dragged || dragged.kind !== "touchpoint") {
          return;
        }
        event.preventDefault();
        var spot = itemAfter(list, ".tp-card", event.clientY, "y");
        var id = dragged.id;
        dragged = null;
        clearMarks(root);
        send("/journeys/" + journey + "/placements/" + id + "/move", {
          stage_id: list.getAttribute("data-stage-id"),
          position: String(spot.index)
        });
      });
    });

    root.querySelectorAll(".stage-col[data-stage-id]").forEach(function (stage) {
      var handle = stage.querySelector("[data-drag=stage]");
      if (!handle) {
        return;
      }
      handle.addEventListener("dragstart", function (event) {
        dragged = { kind: "stage", id: stage.getAttribute("data-stage-id"), element: stage };
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.id);
        event.dataTransfer.setDragImage(stage, 20, 20);
        stage.classList.add("is-dragging");
      });
      handle.addEventListener("dragend", function () {
        stage.classList.remove("is-dragging");
        clearMarks(root);
      });
    });

    root.addEventListener("dragover", function (event) {
      if (!dragged || dragged.kind !== "stage") {
        return;
      }
      event.preventDefault();
      clearMarks(root);
      var spot = itemAfter(root, ".stage-col[data-stage-id]", event.clientX, "x");
      if (spot.element) {
        spot.element.classList.add("drop-before");
      }
    });
    root.addEventListener("drop", function (event) {
      if (!dragged || dragged.kind !== "stage") {
        return;
      }
      event.preventDefault();
      var spot = itemAfter(root, ".stage-col[data-stage-id]", event.clientX, "x");
      var id = dragged.id;
      dragged = null;
      clearMarks(root);
      send("/journeys/" + journey + "/stages/" + id + "/move", { position: String(spot.index) });
    });

    root.classList.add("drag-ready");
  }

  wire(board);
})();
