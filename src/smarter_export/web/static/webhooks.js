// The Webhooks section, for administrators (GET /webhooks answers them only): add an endpoint
// (its signing secret shown this once), send it a test, see each delivery and its attempts,
// delete it.

import { API, ApiError, call } from "./api.js";
import { announce, el } from "./dom.js";
import { clearFieldErrors, showFieldErrors } from "./errors.js";
import { when } from "./format.js";

function attemptText(attempt) {
  const answer = attempt.httpStatus ? `HTTP ${attempt.httpStatus}` : attempt.error || "no answer";
  return `${when(attempt.attemptedAt)} · ${answer} · ${attempt.durationMs} ms`;
}

function deliveryItem(delivery) {
  const next = delivery.status === "pending" && delivery.nextAttemptAt
    ? ` · next try ${when(delivery.nextAttemptAt)}` : "";
  return el("li", { class: "delivery", "data-status": delivery.status },
    el("p", {},
      el("strong", {}, delivery.event), " · ",
      el("span", { class: `badge badge-${delivery.status === "delivered" ? "completed" : delivery.status === "failed" ? "failed" : "pending"}` },
        delivery.status),
      delivery.exportId ? ` · export ${delivery.exportId.slice(0, 8)}` : "", next),
    el("ol", { class: "attempts" }, delivery.attempts.map((attempt) => el("li", { class: "attempt" }, attemptText(attempt)))));
}

export class WebhookPanel {
  constructor({ onAuthProblem }) {
    this.section = document.getElementById("webhooks");
    this.form = document.getElementById("webhook-form");
    this.summary = document.getElementById("webhook-errors");
    this.list = document.getElementById("webhook-list");
    this.empty = document.getElementById("webhooks-empty");
    this.secret = document.getElementById("webhook-secret");
    this.onAuthProblem = onAuthProblem;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.add();
    });
  }

  // Shown only to whom the service lists the firm's webhooks: a 403 keeps the section hidden.
  async start() {
    const epoch = this.epoch;
    try {
      const hooks = await call(`${API}/webhooks`);
      if (epoch !== this.epoch) return;
      this.render(hooks);
      this.section.hidden = false;
    } catch (error) {
      if (epoch !== this.epoch) return;
      if (error instanceof ApiError && error.status === 401) this.onAuthProblem(error);
      this.section.hidden = true;
    }
  }

  stop() {
    this.epoch = (this.epoch || 0) + 1;
    this.section.hidden = true;
    this.secret.hidden = true;
    this.secret.replaceChildren();
    this.list.replaceChildren();
  }

  render(hooks) {
    this.list.replaceChildren(...hooks.map((hook) => this.item(hook)));
    this.empty.hidden = hooks.length > 0;
  }

  async reload() {
    this.render(await call(`${API}/webhooks`));
  }

  item(hook) {
    const result = el("p", { class: "export-message test-result", role: "status" });
    const deliveries = el("ul", { class: "deliveries", hidden: true });
    const label = hook.description || hook.url;
    const toggle = el("button", {
      type: "button", "aria-expanded": "false", "aria-label": `Deliveries of ${label}`,
      onclick: () => this.showDeliveries(hook, toggle, deliveries),
    }, "Deliveries");
    return el("li", { class: "export webhook", "data-webhook-id": hook.webhookId },
      el("h3", { class: "export-title webhook-url" }, hook.url),
      el("p", { class: "export-meta" }, [hook.description, hook.events.join(", "),
        `added by ${hook.createdBy} ${when(hook.createdAt)}`].filter(Boolean).join(" · ")),
      result,
      el("div", { class: "actions" },
        el("button", {
          type: "button", "aria-label": `Send a test to ${label}`,
          onclick: (event) => this.test(hook, event.currentTarget, result, toggle, deliveries),
        }, "Send test"),
        toggle,
        el("button", {
          type: "button", class: "cancel", "aria-label": `Delete ${label}`,
          onclick: (event) => this.remove(hook, event.currentTarget),
        }, "Delete")),
      deliveries);
  }

  async add() {
    clearFieldErrors(this.form, this.summary);
    const body = {
      url: document.getElementById("w-url").value.trim(),
      events: [...this.form.querySelectorAll("input[name=events]:checked")].map((box) => box.value),
    };
    const description = document.getElementById("w-description").value.trim();
    if (description) body.description = description;
    try {
      const hook = await call(`${API}/webhooks`, { method: "POST", body });
      this.secret.replaceChildren(
        el("p", {}, el("strong", {}, "Signing secret for ", hook.url), " (shown this once; keep it where your receiver verifies signatures):"),
        el("code", { class: "secret-value" }, hook.secret));
      this.secret.hidden = false;
      this.form.reset();
      announce("Webhook added. Its signing secret is shown once.");
      await this.reload();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) this.onAuthProblem(error);
      else showFieldErrors(this.form, this.summary, error, "The webhook was not added:");
    }
  }

  async test(hook, button, result, toggle, deliveries) {
    button.disabled = true;
    result.textContent = "Sending a test…";
    try {
      const delivery = await call(`${API}/webhooks/${hook.webhookId}/test`, { method: "POST" });
      const attempt = delivery.attempts[delivery.attempts.length - 1];
      result.textContent = delivery.status === "delivered"
        ? `Test delivered: ${attemptText(attempt)}.`
        : `Test not delivered: ${attempt ? attemptText(attempt) : delivery.status}.`;
      result.dataset.outcome = delivery.status;
      if (toggle.getAttribute("aria-expanded") === "true") await this.loadDeliveries(hook, deliveries);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onAuthProblem(error);
      else result.textContent = `The test could not be sent: ${error.message}`;
    } finally {
      button.disabled = false;
      announce(result.textContent);
    }
  }

  async showDeliveries(hook, toggle, deliveries) {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    deliveries.hidden = !open;
    if (open) await this.loadDeliveries(hook, deliveries);
  }

  async loadDeliveries(hook, deliveries) {
    try {
      const rows = await call(`${API}/webhooks/${hook.webhookId}/deliveries`);
      deliveries.replaceChildren(...(rows.length ? rows.map(deliveryItem) : [el("li", { class: "empty" }, "No deliveries yet.")]));
    } catch (error) {
      deliveries.replaceChildren(el("li", { class: "notice" }, `The deliveries could not be loaded: ${error.message}`));
    }
  }

  async remove(hook, button) {
    button.disabled = true;
    try {
      await call(`${API}/webhooks/${hook.webhookId}`, { method: "DELETE" });
      announce(`Webhook ${hook.url} deleted.`);
      await this.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onAuthProblem(error);
      else announce(`Could not delete: ${error.message}`);
      button.disabled = false;
    }
  }
}
