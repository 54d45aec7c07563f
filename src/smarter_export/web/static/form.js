// The request form, generated from GET /sources and GET /formats, and its errors shown beside
// the fields. The formats and each one's options are the service's, never listed here.

import { API, ApiError, call } from "./api.js";
import { ColumnPicker } from "./columns.js";
import { DeliveryFields } from "./delivery.js";
import { clearFieldErrors, showFieldErrors } from "./errors.js";
import { announce, el } from "./dom.js";
import { filterField } from "./fields.js";
import { humanize } from "./format.js";

export class RequestForm {
  constructor({ onCreated, onScheduled, onAuthProblem }) {
    this.form = document.getElementById("export-form");
    this.sourceSelect = document.getElementById("f-dataSource");
    this.summary = document.getElementById("form-errors");
    this.submitButton = document.getElementById("submit");
    this.sort = document.getElementById("f-sort");
    this.sortDescending = document.getElementById("f-sort-desc");
    this.fileName = document.getElementById("f-fileName");
    this.columns = new ColumnPicker(document.getElementById("column-list"));
    this.onCreated = onCreated;
    this.onScheduled = onScheduled;
    this.delivery = new DeliveryFields({
      onChange: (schedule) => {
        this.submitButton.textContent = schedule ? "Create schedule" : "Request export";
      },
    });
    this.onAuthProblem = onAuthProblem;
    this.sources = [];
    this.formats = [];
    this.readers = new Map();
    this.optionReaders = new Map();
    this.formatChoices = document.getElementById("format-choices");
    this.formatChoices.addEventListener("change", () => this.showFormatOptions());
    this.sourceSelect.addEventListener("change", () => this.showSource());
    document.getElementById("columns-default").addEventListener("click", () => this.columns.setAll("default"));
    document.getElementById("columns-all").addEventListener("click", () => this.columns.setAll("all"));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  loadFormats(formats) {
    this.allFormats = formats;
    this.showFormats();
  }

  // The formats that write the chosen source: a format listing `sources` writes only those
  // (LEDES: invoices).
  showFormats() {
    const source = this.sourceSelect.value;
    const formats = (this.allFormats || []).filter((format) =>
      !format.sources?.length || format.sources.includes(source));
    const previous = this.chosenFormat();
    this.formats = formats;
    const chosen = formats.some((format) => format.name === previous) ? previous : formats[0]?.name;
    this.formatChoices.replaceChildren(...formats.map((format) => el("label", { class: "check" },
      el("input", { type: "radio", name: "format", value: format.name, checked: format.name === chosen }),
      `${format.title} (${format.extension})`)));
    this.showFormatOptions();
  }

  chosenFormat() {
    return this.form.querySelector("input[name=format]:checked")?.value;
  }

  // The chosen format's own options, as fields named the way the API's errors name them. A
  // format whose fields are a standard's (LEDES) offers no column or sort choice.
  showFormatOptions() {
    const format = this.formats.find((candidate) => candidate.name === this.chosenFormat());
    this.fixedColumns = Boolean(format?.fixedColumns);
    document.getElementById("f-columns").hidden = this.fixedColumns;
    document.getElementById("sort-field").hidden = this.fixedColumns;
    const options = format?.options || [];
    this.optionReaders = new Map();
    const fields = options.map((option) => {
      const field = filterField(option, `options.${option.name}`);
      this.optionReaders.set(option.name, { read: field.read, default: option.default });
      return field.element;
    });
    document.getElementById("format-options").replaceChildren(...fields);
    document.getElementById("format-options").hidden = fields.length === 0;
  }

  load(sources) {
    this.sources = sources;
    const previous = this.sourceSelect.value;
    this.sourceSelect.replaceChildren(...sources.map((source) => el("option", {
      value: source.name, selected: source.name === previous,
    }, source.title)));
    this.showSource();
  }

  current() {
    return this.sources.find((source) => source.name === this.sourceSelect.value);
  }

  showSource() {
    const source = this.current();
    if (!source) return;
    this.showFormats();
    document.getElementById("hint-dataSource").textContent = source.description;
    const fields = document.getElementById("filter-fields");
    this.readers = new Map();
    // Analytics-style parameters (metric, groupBy), if a source lists them, are fields too.
    const described = [...(source.filters || []), ...(source.options || [])];
    fields.replaceChildren(...described.map((filter) => {
      const field = filterField(filter);
      this.readers.set(filter.name, field.read);
      return field.element;
    }));
    document.getElementById("filters").hidden = described.length === 0;
    this.columns.show(source.columns);
    const defaultSort = source.defaultSort?.[0]?.replace(/^-/, "");
    const defaultLabel = source.columns.find((column) => column.name === defaultSort)?.label;
    this.sort.replaceChildren(
      el("option", { value: "" }, defaultLabel ? `Default (${defaultLabel})` : "Default"),
      ...source.columns.map((column) => el("option", { value: column.name }, column.label)));
    this.clearErrors();
  }

  body() {
    const body = { dataSource: this.sourceSelect.value };
    for (const [name, read] of this.readers) {
      const value = read();
      if (value !== undefined) body[name] = value;
    }
    const columns = this.fixedColumns ? undefined : this.columns.chosen();
    if (columns !== undefined) body.columns = columns;
    if (this.sort.value && !this.fixedColumns) {
      body.sort = (this.sortDescending.checked ? "-" : "") + this.sort.value;
    }
    if (this.fileName.value.trim()) body.fileName = this.fileName.value.trim();
    const options = {};
    for (const [name, option] of this.optionReaders) {
      const value = option.read();
      // Only what differs from the format's default: the request says what was chosen.
      if (value !== undefined && value !== option.default) options[name] = value;
    }
    if (Object.keys(options).length) body.options = options;
    return body;
  }

  signedIn(email) {
    this.delivery.signedIn(email);
  }

  async submit() {
    this.clearErrors();
    const format = this.chosenFormat();
    const body = this.body();
    const notify = this.delivery.notifyValue();
    if (notify) body.notify = notify;
    const title = this.current()?.title || humanize(body.dataSource);
    this.submitButton.disabled = true;
    try {
      if (this.delivery.isSchedule()) {
        const schedule = { ...body, format, ...this.delivery.scheduleFields(title) };
        const made = await call(`${API}/schedules`, { method: "POST", body: schedule });
        announce(`Schedule “${made.name}” created.`);
        this.onScheduled(made);
      } else {
        const created = await call(`${API}/${format}`, { method: "POST", body });
        announce(`${title} export requested.`);
        this.onCreated(created);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) this.onAuthProblem(error);
      else this.showErrors(error);
    } finally {
      this.submitButton.disabled = false;
    }
  }

  clearErrors() {
    clearFieldErrors(this.form, this.summary);
  }

  showErrors(error) {
    const what = this.delivery.isSchedule() ? "schedule was not created" : "export was not requested";
    showFieldErrors(this.form, this.summary, error, `The ${what}:`);
  }
}
