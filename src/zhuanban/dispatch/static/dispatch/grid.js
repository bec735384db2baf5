// The data-entry grid: Enter and the arrow keys move between cells, a block copied from
// Excel pastes across cells (adding rows in a list table), and leaving with unsaved
// changes asks first. Works without it: the grid is a plain form.
(function () {
  const form = document.querySelector("form[data-grid]");
  if (!form) return;
  const body = form.querySelector("table.entry-grid tbody");
  const rowCount = form.querySelector("[data-row-count]");
  const template = form.querySelector("template[data-row-template]");
  let dirty = false;

  const dataRows = () => Array.from(body.querySelectorAll("tr[data-row]"));
  const cellsOf = (tr) => Array.from(tr.querySelectorAll("input[name^='cell-'], select[name^='cell-']"));

  function addRow() {
    if (!template) return null;
    const index = dataRows().length;
    const html = template.innerHTML.replaceAll("__i__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    const tr = dataRows()[index];
    tr.querySelector("td").textContent = String(index + 1);
    rowCount.value = String(index + 1);
    return tr;
  }

  function position(el) {
    const tr = el.closest("tr[data-row]");
    return [dataRows().indexOf(tr), cellsOf(tr).indexOf(el)];
  }

  function cellAt(row, col) {
    const rows = dataRows();
    if (row < 0 || row >= rows.length) return null;
    return cellsOf(rows[row])[col] || null;
  }

  function setValue(el, text) {
    if (el.tagName === "SELECT") {
      const option = Array.from(el.options).find((o) => o.value === text || o.text === text);
      if (option) el.value = option.value;
      else el.add(new Option(text, text, true, true));
    } else {
      el.value = text;
    }
  }

  form.addEventListener("keydown", (event) => {
    const el = event.target;
    if (!el.name || !el.name.startsWith("cell-")) return;
    const [row, col] = position(el);
    let target = null;
    if (event.key === "Enter" || (event.key === "ArrowDown" && el.tagName !== "SELECT")) {
      target = cellAt(row + 1, col) || (event.key === "Enter" && template ? cellsOf(addRow())[col] : null);
    } else if (event.key === "ArrowUp" && el.tagName !== "SELECT") {
      target = cellAt(row - 1, col);
    } else if (event.key === "ArrowRight" && el.selectionStart === el.value.length) {
      target = cellAt(row, col + 1);
    } else if (event.key === "ArrowLeft" && el.selectionStart === 0) {
      target = cellAt(row, col - 1);
    }
    if (event.key === "Enter") event.preventDefault();
    if (target) {
      event.preventDefault();
      target.focus();
      if (target.select) target.select();
    }
  });

  form.addEventListener("paste", (event) => {
    const el = event.target;
    if (!el.name || !el.name.startsWith("cell-")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text.includes("\t") && !text.includes("\n")) return;
    event.preventDefault();
    const lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    const [row, col] = position(el);
    lines.forEach((line, i) => {
      while (row + i >= dataRows().length && template) addRow();
      line.split("\t").forEach((value, j) => {
        const target = cellAt(row + i, col + j);
        if (target) setValue(target, value.trim());
      });
    });
    dirty = true;
  });

  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
  const add = form.querySelector("[data-add-row]");
  if (add) add.addEventListener("click", () => { const tr = addRow(); if (tr) cellsOf(tr)[0].focus(); });
})();
