// Drag and drop for the survey builder: a question moves within its page or to another
// page. A drop posts to the same address as the up/down buttons (with the page's CSRF
// token in a header) and puts in place the board the server answers with, so the page
// always shows what was saved, preview included. Without this file the buttons work.
(function () {
  "use strict";

  var board = document.getElementById("builder-board");
  if (!board || !("draggable" in document.createElement("span"))) {
    return;
  }
  var dragged = null; // the key of the question being dragged

  function showError(message) {
    var box = document.querySelector(".live-error");
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }

  function swap(doc, id) {
    var fresh = doc.getElementById(id);
    var current = document.getElementById(id);
    if (fresh && current) {
      current.replaceWith(fresh);
    }
    return fresh;
  }

  function send(url, fields) {
    var current = document.getElementById("builder-board");
    current.classList.add("is-saving");
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": current.getAttribute("data-csrf") },
      body: new URLSearchParams(fields),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!response.ok) {
          var problem = doc.querySelector(".field-error, .alert-error, .problem p");
          showError(problem ? problem.textContent : current.getAttribute("data-drag-failed"));
        }
        var fresh = swap(doc, "builder-board");
        swap(doc, "preview-pane");
        if (fresh) {
          board = fresh;
          wire(fresh);
          if (window.htmx) {
            window.htmx.process(document.getElementById("preview-pane") || document.body);
          }
        } else {
          current.classList.remove("is-saving");
        }
      });
    }).catch(function () {
      current.classList.remove("is-saving");
      showError(current.getAttribute("data-drag-failed"));
    });
  }

  // The card before which the pointer is, and its index among the list's other cards.
  function spotIn(list, y) {
    var cards = Array.prototype.filter.call(list.querySelectorAll(".question-card"), function (el) {
      return !el.classList.contains("is-dragging");
    });
    for (var i = 0; i < cards.length; i++) {
      var box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        return { element: cards[i], index: i };
      }
    }
    return { element: null, index: cards.length };
  }

  function clearMarks(root) {
    root.querySelectorAll(".drop-before, .drop-end").forEach(function (el) {
      el.classList.remove("drop-before", "drop-end");
    });
  }

  function wire(root) {
    var survey = root.getAttribute("data-survey");

    root.querySelectorAll(".question-card").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        // Typing in an open edit form must not start a drag.
        if (event.target !== card || card.querySelector(".question-edit[open]")) {
          event.preventDefault();
          return;
        }
        dragged = card.getAttribute("data-question");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged);
        card.classList.add("is-dragging");
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("is-dragging");
        clearMarks(root);
      });
    });

    root.querySelectorAll(".question-list").forEach(function (list) {
      list.addEventListener("dragover", function (event) {
        if (!dragged) {
          return;
        }
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        clearMarks(root);
        var spot = spotIn(list, event.clientY);
        if (spot.element) {
          spot.element.classList.add("drop-before");
        } else {
          list.classList.add("drop-end");
        }
      });
      list.addEventListener("drop", function (event) {
        if (!dragged) {
          return;
        }
        event.preventDefault();
        var spot = spotIn(list, event.clientY);
        var key = dragged;
        dragged = null;
        clearMarks(root);
        send("/feedback/surveys/" + survey + "/questions/" + encodeURIComponent(key) + "/move", {
          page: list.getAttribute("data-page"),
          position: String(spot.index)
        });
      });
    });

    root.classList.add("drag-ready");
  }

  wire(board);
})();
