// The column picker: tick what to include, move up and down to set the order in the file.
// Buttons rather than drag and drop, so that a keyboard or a screen reader does it as well.

import { announce, el } from "./dom.js";

export class ColumnPicker {
  constructor(list) {
    this.list = list;
    this.columns = [];
  }

  show(columns) {
    this.columns = columns;
    this.list.replaceChildren(...columns.map((column) => this.item(column)));
    this.refreshButtons();
  }

  item(column) {
    const id = `col-${column.name}`;
    const up = el("button", {
      type: "button", class: "move", "aria-label": `Move ${column.label} up`,
      onclick: () => this.move(column.name, -1, up),
    }, "↑");
    const down = el("button", {
      type: "button", class: "move", "aria-label": `Move ${column.label} down`,
      onclick: () => this.move(column.name, 1, down),
    }, "↓");
    return el("li", { class: "column-item", "data-name": column.name },
      el("input", { type: "checkbox", id, value: column.name, checked: column.default }),
      el("label", { for: id }, column.label),
      el("span", { class: "column-type" }, column.type),
      el("span", { class: "move-buttons" }, up, down));
  }

  move(name, step, button) {
    const items = [...this.list.children];
    const index = items.findIndex((item) => item.dataset.name === name);
    const target = index + step;
    if (target < 0 || target >= items.length) return;
    const item = items[index];
    if (step < 0) this.list.insertBefore(item, items[target]);
    else this.list.insertBefore(item, items[target].nextSibling);
    this.refreshButtons();
    button.focus();
    const label = item.querySelector("label").textContent;
    announce(`${label} moved to position ${target + 1} of ${items.length}.`);
  }

  refreshButtons() {
    const items = [...this.list.children];
    items.forEach((item, index) => {
      const [up, down] = item.querySelectorAll("button.move");
      up.disabled = index === 0;
      down.disabled = index === items.length - 1;
    });
  }

  setAll(which) {
    const byName = new Map(this.columns.map((column) => [column.name, column]));
    for (const box of this.list.querySelectorAll("input[type=checkbox]")) {
      box.checked = which === "all" || byName.get(box.value)?.default === true;
    }
  }

  // The ticked columns in the order shown; undefined when it is exactly the default set.
  chosen() {
    const names = [...this.list.querySelectorAll("input[type=checkbox]:checked")]
      .map((box) => box.value);
    const defaults = this.columns.filter((column) => column.default).map((column) => column.name);
    return names.join(",") === defaults.join(",") ? undefined : names;
  }

  firstInput() {
    return this.list.querySelector("input");
  }
}
