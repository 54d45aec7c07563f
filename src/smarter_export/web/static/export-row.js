// One export in the list: built once, then updated in place on every poll, so that focus stays
// on its buttons and a screen reader is not read the whole list again.

import { el } from "./dom.js";
import { count, fileSize, humanize, plural, timeLeft, when } from "./format.js";

const PHASES = { finishing: "finishing the file", uploading: "storing the file" };

const STATUS_LABELS = {
  pending: "Pending",
  processing: "Processing",
  completed: "Completed",
  partial: "Partial",
  failed: "Failed",
  cancelled: "Cancelled",
  expired: "Expired",
  cancelling: "Cancelling",
};
const RUNNING = new Set(["pending", "processing"]);

export function isRunning(exportView) {
  return RUNNING.has(exportView.status);
}

export function badgeOf(exportView) {
  if (exportView.status === "completed" && exportView.partial) return "partial";
  if (isRunning(exportView) && exportView.cancelRequested) return "cancelling";
  return exportView.status;
}

export function statusLabel(exportView) {
  return STATUS_LABELS[badgeOf(exportView)] || humanize(exportView.status);
}

// `catalog`: {sources, formats}, Maps by name of what GET /sources and GET /formats list.
export function titleOf(exportView, catalog) {
  const source = catalog.sources.get(exportView.dataSource)?.title || humanize(exportView.dataSource);
  return `${source} · ${catalog.formats.get(exportView.format)?.title || exportView.format}`;
}

function described(name, value) {
  return `${humanize(name)}: ${Array.isArray(value) ? value.join(", ") : value}`;
}

// The filters set, the format's options that differ from its defaults, the column count.
function requestSummary(parameters, format) {
  const { options, columns, sort, ...filters } = parameters || {};
  const shown = Object.entries(filters)
    .filter(([, value]) => value !== false)
    .map(([name, value]) => described(name, value));
  const defaults = new Map((format?.options || []).map((option) => [option.name, option.default]));
  for (const [name, value] of Object.entries(options || {})) {
    if (value !== null && value !== defaults.get(name)) shown.push(described(name, value));
  }
  if (columns?.length) shown.push(plural(columns.length, "column"));
  return shown.join(" · ");
}

export class ExportRow {
  constructor(exportView, { catalog, onCancel }) {
    const id = exportView.exportId;
    this.title = el("h3", { class: "export-title", id: `title-${id}`, tabindex: "-1" });
    this.badge = el("span", { class: "badge" });
    this.meta = el("p", { class: "export-meta" });
    this.progress = el("progress", {
      max: "100", "aria-labelledby": `title-${id}`, "aria-describedby": `rows-${id}`,
    });
    this.rows = el("span", { class: "rows", id: `rows-${id}` });
    this.eta = el("p", { class: "eta" });
    this.message = el("p", { class: "export-message" });
    this.file = el("p", { class: "file" });
    this.download = el("a", { class: "button primary download", download: "" }, "Download");
    this.cancel = el("button", {
      type: "button", class: "cancel", onclick: () => onCancel(id, this.cancel),
    }, "Cancel");
    this.element = el("li", { class: "export", "data-export-id": id },
      el("div", { class: "export-head" }, this.title, this.badge),
      this.meta,
      el("div", { class: "export-progress" }, this.progress, this.rows),
      this.eta, this.message, this.file,
      el("div", { class: "actions" }, this.download, this.cancel));
    this.catalog = catalog;
    this.update(exportView);
  }

  update(view) {
    const badge = badgeOf(view);
    const title = titleOf(view, this.catalog);
    this.title.textContent = title;
    this.element.dataset.status = badge;
    this.badge.className = `badge badge-${badge}`;
    this.badge.textContent = statusLabel(view);
    const summary = requestSummary(view.parameters, this.catalog.formats.get(view.format));
    this.meta.textContent = [`Requested ${when(view.createdAt)}`, summary]
      .filter(Boolean).join(" · ");

    const { percent, rowsProcessed, rowsTotal, phase } = view.progress;
    if (view.status === "pending" && !rowsProcessed) this.progress.removeAttribute("value");
    else this.progress.value = view.status === "completed" ? 100 : percent;
    const rows = rowsTotal === null || rowsTotal === undefined
      ? (rowsProcessed ? `${count(rowsProcessed)} rows` : "Waiting for a worker")
      : `${count(rowsProcessed)} of ${count(rowsTotal)} rows · ${Math.floor(percent)}%`;
    // Past the last row the file is still being closed, then stored: say so, not "100 %" idle.
    this.rows.textContent = PHASES[phase] ? `${rows} · ${PHASES[phase]}` : rows;

    const eta = view.status === "processing" && !view.cancelRequested
      ? timeLeft(view.estimatedCompletionAt) : "";
    this.eta.textContent = eta ? `Estimated: ${eta}` : "";
    this.eta.hidden = !eta;

    const message = this.messageOf(view);
    this.message.textContent = message;
    this.message.hidden = !message;

    const file = view.file;
    this.file.textContent = file ? [file.name, fileSize(file.sizeBytes),
      view.expiresAt ? `available until ${when(view.expiresAt)}` : ""].filter(Boolean).join(" · ") : "";
    this.file.hidden = !file;

    const downloadable = view.status === "completed" && Boolean(view.downloadUrl);
    if (downloadable) {
      this.download.href = view.downloadUrl;
      // The file's name says what it holds (source, records, period): the link says it too.
      this.download.setAttribute("aria-label", file ? `Download ${file.name}, ${fileSize(file.sizeBytes)}` : `Download ${title}`);
      if (file) this.download.setAttribute("download", file.name);
    }
    this.download.hidden = !downloadable;
    this.cancel.hidden = !isRunning(view) || view.cancelRequested;
    this.cancel.setAttribute("aria-label", `Cancel ${title}`);
  }

  messageOf(view) {
    if (view.status === "failed") return `Failed: ${view.error?.message || "no reason was recorded."}`;
    if (view.error?.message && view.status === "pending") return `Retrying: ${view.error.message}`;
    if (view.warnings?.length) return view.warnings.join(" ");
    if (view.status === "cancelled") return "Cancelled; no file was kept.";
    if (view.status === "expired") return "The file has expired; request the export again.";
    return "";
  }
}
