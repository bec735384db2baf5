// Opinion rounds, as progressive enhancement (without this script every form works the
// same: a group's "all of them" box is read by the server, three blank opinion rows are
// always there, and the adoption form posts and reloads the page).
// - "All of them" ticks or clears every unit of its group, and follows the group's boxes.
// - "Add another opinion" appends a blank row copied from the formset's empty form.
// - An adoption form refused by the server (422 with errors, 409 stale) comes back as the
//   opinion's row, marked by a response header: htmx does not swap 4xx answers by default.
(function () {
  "use strict";

  function groupBoxes(kind) {
    return document.querySelectorAll("input[data-group='" + kind + "']");
  }

  function syncSelectAll(kind) {
    var all = document.querySelector("input[data-select-all='" + kind + "']");
    if (!all) {
      return;
    }
    var boxes = Array.prototype.slice.call(groupBoxes(kind));
    all.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  }

  function initUnitGroups() {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var kind = all.getAttribute("data-select-all");
      all.addEventListener("change", function () {
        groupBoxes(kind).forEach(function (box) { box.checked = all.checked; });
      });
      groupBoxes(kind).forEach(function (box) {
        box.addEventListener("change", function () { syncSelectAll(kind); });
      });
    });
  }

  function initAddOpinion() {
    var button = document.querySelector("[data-add-opinion]");
    var template = document.getElementById("opinion-row-template");
    var rows = document.getElementById("opinion-rows");
    var total = document.getElementById("id_opinions-TOTAL_FORMS");
    var max = document.getElementById("id_opinions-MAX_NUM_FORMS");
    if (!button || !template || !rows || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Opinion-Row")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function init() {
    initUnitGroups();
    initAddOpinion();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
