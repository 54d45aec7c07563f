// The Schedules section: the caller's schedules (an administrator's: the firm's) from
// GET /schedules, each with its next run and its last one, to pause, resume, run now or delete.

import { API, ApiError, call } from "./api.js";
import { announce, el } from "./dom.js";
import { humanize, when } from "./format.js";
import { Poller } from "./poller.js";

const WEEKDAYS = { "1-5": "every weekday", 1: "every Monday", "*": "every day" };

// "0 7 1 * *" -> "every month on the 1st at 07:00"; anything else is shown as written.
export function describeCron(cron) {
  const [minute, hour, day, month, weekday] = cron.trim().split(/\s+/);
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour) || month !== "*") return `cron ${cron}`;
  const at = `at ${hour.padStart(2, "0")}:${minute.padStart(2, "0")}`;
  if (day === "1" && weekday === "*") return `every month on the 1st ${at}`;
  if (day === "*" && weekday in WEEKDAYS) return `${WEEKDAYS[weekday]} ${at}`;
  return `cron ${cron}`;
}

function lastRun(last) {
  if (!last) return "Not run yet.";
  const outcome = last.outcome === "skipped"
    ? `skipped${last.reason ? `: ${last.reason}` : ""}`
    : `export ${last.status || "made"}`;
  return `Last run ${when(last.dueAt)}: ${outcome}.`;
}

export class ScheduleList {
  constructor({ onExportMade, onAuthProblem }) {
    this.section = document.getElementById("schedules");
    this.list = document.getElementById("schedule-list");
    this.empty = document.getElementById("schedules-empty");
    this.error = document.getElementById("schedules-error");
    this.onExportMade = onExportMade;
    this.onAuthProblem = onAuthProblem;
    this.catalog = { sources: new Map(), formats: new Map() };
    this.poller = new Poller(() => this.refresh());
    document.getElementById("schedules-refresh").addEventListener("click", () => this.poller.hurry());
  }

  start(sources, formats) {
    this.catalog = {
      sources: new Map(sources.map((source) => [source.name, source])),
      formats: new Map(formats.map((format) => [format.name, format])),
    };
    this.section.hidden = false;
    this.poller.start();
  }

  stop() {
    this.epoch = (this.epoch || 0) + 1;
    this.poller.stop();
    this.list.replaceChildren();
    this.section.hidden = true;
  }

  changed() {
    this.poller.hurry();
  }

  async refresh() {
    const epoch = this.epoch;
    let schedules;
    try {
      schedules = await call(`${API}/schedules`);
      if (epoch !== this.epoch) return "idle";
    } catch (error) {
      if (epoch !== this.epoch) return "idle";
      if (error instanceof ApiError && error.status === 401) {
        this.onAuthProblem(error);
        return "idle";
      }
      this.error.textContent = `The schedules could not be loaded: ${error.message}`;
      this.error.hidden = false;
      throw error;
    }
    this.error.textContent = this.failure || "";
    this.error.hidden = !this.failure; // what went wrong with the last action stays said
    // Rebuilt only when something changed, so that a focused button is not taken away.
    const shown = JSON.stringify(schedules);
    if (shown !== this.shown) {
      const focused = document.activeElement?.dataset?.action;
      const focusedId = document.activeElement?.closest?.("[data-schedule-id]")?.dataset.scheduleId;
      this.shown = shown;
      this.list.replaceChildren(...schedules.map((schedule) => this.item(schedule)));
      const again = focusedId && this.list.querySelector(
        `[data-schedule-id="${CSS.escape(focusedId)}"] [data-action="${CSS.escape(focused || "")}"]`);
      again?.focus();
    }
    this.empty.hidden = schedules.length > 0;
    // Watched closely while a run's export is under way, so its outcome shows when it ends.
    const running = schedules.some((s) => ["pending", "processing"].includes(s.lastRun?.status));
    return running ? "active" : "idle";
  }

  item(schedule) {
    const source = this.catalog.sources.get(schedule.dataSource)?.title || humanize(schedule.dataSource || "");
    const format = this.catalog.formats.get(schedule.format)?.title || schedule.format;
    const id = schedule.scheduleId;
    const state = schedule.active ? "active" : "paused";
    const details = [
      `${source} · ${format}`,
      describeCron(schedule.cron) + ` (${schedule.timezone})`,
      schedule.period ? `period: ${humanize(schedule.period).toLowerCase()}` : "",
      schedule.notify?.emails?.length ? `e-mail to ${schedule.notify.emails.join(", ")}` : "",
    ].filter(Boolean).join(" · ");
    const next = schedule.active && schedule.nextRunAt
      ? `Next run ${when(schedule.nextRunAt)}.` : "Paused: no run until resumed.";
    return el("li", { class: "export schedule", "data-schedule-id": id, "data-status": state },
      el("div", { class: "export-head" },
        el("h3", { class: "export-title" }, schedule.name),
        el("span", { class: `badge badge-${schedule.active ? "completed" : "cancelled"}` },
          schedule.active ? "Active" : "Paused")),
      el("p", { class: "export-meta" }, details),
      el("p", { class: "next-run" }, next),
      el("p", { class: "last-run export-meta" }, lastRun(schedule.lastRun)),
      el("div", { class: "actions" },
        el("button", {
          type: "button", "data-action": "toggle", "aria-label": `${schedule.active ? "Pause" : "Resume"} ${schedule.name}`,
          onclick: (event) => this.act(event.currentTarget, schedule, schedule.active ? "pause" : "resume"),
        }, schedule.active ? "Pause" : "Resume"),
        el("button", {
          type: "button", "data-action": "run", "aria-label": `Run ${schedule.name} now`,
          onclick: (event) => this.act(event.currentTarget, schedule, "run"),
        }, "Run now"),
        el("button", {
          type: "button", class: "cancel", "data-action": "delete", "aria-label": `Delete ${schedule.name}`,
          onclick: (event) => this.act(event.currentTarget, schedule, "delete"),
        }, "Delete")));
  }

  async act(button, schedule, action) {
    const path = `${API}/schedules/${schedule.scheduleId}`;
    button.disabled = true;
    this.failure = null;
    try {
      if (action === "run") {
        const made = await call(`${path}/run`, { method: "POST" });
        announce(`${schedule.name}: export requested.`);
        this.onExportMade(made.export);
      } else if (action === "delete") {
        await call(path, { method: "DELETE" });
        announce(`${schedule.name} deleted.`);
      } else {
        await call(path, { method: "PATCH", body: { active: action === "resume" } });
        announce(`${schedule.name} ${action === "resume" ? "resumed" : "paused"}.`);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onAuthProblem(error);
      else {
        this.failure = `${schedule.name}: ${error.message}`;
        this.error.textContent = this.failure;
        this.error.hidden = false;
        announce(`Could not ${action} ${schedule.name}: ${error.message}`);
      }
    } finally {
      button.disabled = false;
      this.poller.hurry();
    }
  }
}
