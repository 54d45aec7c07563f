// The firm's exports, newest first, kept up to date by polling GET /api/v1/export.

import { API, ApiError, call } from "./api.js";
import { announce } from "./dom.js";
import { ExportRow, isRunning, statusLabel, titleOf } from "./export-row.js";
import { Poller } from "./poller.js";

const PAGE = 20;
const MOST = 100; // the API's largest page

export class ExportList {
  constructor({ onAuthProblem }) {
    this.list = document.getElementById("export-list");
    this.empty = document.getElementById("exports-empty");
    this.error = document.getElementById("exports-error");
    this.note = document.getElementById("poll-note");
    this.more = document.getElementById("more");
    this.onAuthProblem = onAuthProblem;
    this.rows = new Map(); // exportId -> ExportRow
    this.lastBadge = new Map(); // exportId -> the status last shown, to announce changes
    this.catalog = { sources: new Map(), formats: new Map() };
    this.size = PAGE;
    this.poller = new Poller(() => this.refresh());
    document.getElementById("refresh").addEventListener("click", () => this.poller.hurry());
    this.more.addEventListener("click", () => {
      this.size = Math.min(this.size + PAGE, MOST);
      this.poller.hurry();
    });
  }

  start(sources, formats) {
    this.catalog = {
      sources: new Map(sources.map((source) => [source.name, source])),
      formats: new Map(formats.map((format) => [format.name, format])),
    };
    this.poller.start();
  }

  stop() {
    this.epoch = (this.epoch || 0) + 1; // answers to calls made before now are dropped
    this.poller.stop();
    this.rows.clear();
    this.lastBadge.clear();
    this.list.replaceChildren();
  }

  async refresh() {
    const epoch = this.epoch;
    let page;
    try {
      page = await call(`${API}?pageSize=${this.size}`);
      if (epoch !== this.epoch) return "idle"; // signed out or in as someone else meanwhile
    } catch (error) {
      if (epoch !== this.epoch) return "idle";
      if (error instanceof ApiError && error.status === 401) {
        this.onAuthProblem(error);
        return "idle";
      }
      this.error.textContent = `The list could not be updated: ${error.message} Retrying…`;
      this.error.hidden = false;
      throw error;
    }
    this.error.hidden = true;
    this.render(page.exports);
    this.more.hidden = page.pagination.total <= page.exports.length || this.size >= MOST;
    this.note.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    return page.exports.some(isRunning) ? "active" : "idle";
  }

  render(exports) {
    const seen = new Set();
    exports.forEach((view, index) => {
      seen.add(view.exportId);
      let row = this.rows.get(view.exportId);
      if (row) row.update(view);
      else {
        row = new ExportRow(view, { catalog: this.catalog, onCancel: (id, button) => this.cancel(id, button) });
        this.rows.set(view.exportId, row);
      }
      // Move a row only when it is out of place: moving the focused one would drop focus.
      if (this.list.children[index] !== row.element) {
        this.list.insertBefore(row.element, this.list.children[index] || null);
      }
      this.announceChange(view);
    });
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    this.empty.hidden = exports.length > 0;
    this.pickOut();
  }

  // The export an e-mail links to (`/?export={id}`): shown, focused and marked once listed.
  pick(exportId) {
    this.wanted = exportId;
  }

  pickOut() {
    const row = this.wanted && this.rows.get(this.wanted);
    if (!row) return;
    this.wanted = null;
    for (const picked of this.list.querySelectorAll(".picked")) picked.classList.remove("picked");
    row.element.classList.add("picked");
    row.element.scrollIntoView({ block: "center" });
    row.title.focus();
  }

  announceChange(view) {
    const label = statusLabel(view);
    const before = this.lastBadge.get(view.exportId);
    this.lastBadge.set(view.exportId, label);
    if (before !== undefined && before !== label) {
      announce(`${titleOf(view, this.catalog)}: ${label.toLowerCase()}.`);
    }
  }

  created() {
    this.poller.hurry();
  }

  async cancel(exportId, button) {
    button.disabled = true;
    try {
      const view = await call(`${API}/${exportId}`, { method: "DELETE" });
      const row = this.rows.get(exportId);
      row?.update(view);
      row?.title.focus(); // the Cancel button has gone: keep the keyboard on this export
      announce(`${titleOf(view, this.catalog)}: cancel requested.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onAuthProblem(error);
      else announce(`Could not cancel: ${error.message}`);
    } finally {
      button.disabled = false;
      this.poller.hurry();
    }
  }
}
