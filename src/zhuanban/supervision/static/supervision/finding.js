// The finding form on a phone (progressive enhancement: without this script every field
// is shown and the form works the same).
// - "Needs rectification" reveals the unit, what must be fixed and the deadline.
// - A good practice is never sent for rectification: the checkbox goes away for it.
(function () {
  "use strict";

  function reveal(box) {
    var target = document.getElementById(box.getAttribute("data-reveals"));
    if (target) {
      target.hidden = !box.checked;
    }
  }

  function syncKind(form) {
    var chosen = form.querySelector("input[name='kind']:checked");
    form.querySelectorAll("[data-kind-only]").forEach(function (el) {
      var show = !chosen || chosen.value === el.getAttribute("data-kind-only");
      el.hidden = !show;
      if (!show) {
        el.querySelectorAll("input[data-reveals]").forEach(function (box) {
          box.checked = false;
          reveal(box);
        });
      }
    });
  }

  function init() {
    document.querySelectorAll("input[data-reveals]").forEach(function (box) {
      reveal(box);
      box.addEventListener("change", function () { reveal(box); });
    });
    document.querySelectorAll("form[data-finding-form]").forEach(function (form) {
      syncKind(form);
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "kind") {
          syncKind(form);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
