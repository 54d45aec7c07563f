// The API's validation errors shown where a person looks: each `error.details[].field` beside
// the field of that name (`data-field`), and all of them in the form's summary, linked.

import { el } from "./dom.js";

export function clearFieldErrors(form, summary) {
  summary.hidden = true;
  summary.replaceChildren();
  for (const message of form.querySelectorAll(".field-error")) {
    message.hidden = true;
    message.textContent = "";
  }
  for (const invalid of form.querySelectorAll("[aria-invalid]")) {
    invalid.removeAttribute("aria-invalid");
  }
}

// `intro` heads the list of fields ("The export was not requested:").
export function showFieldErrors(form, summary, error, intro) {
  let message = error.message;
  if (error.status === 403) message = `Your token does not allow this: ${error.message}`;
  if (error.status === 429) message = `Too many requests: try again in ${error.retryAfter || "a few"} seconds.`;
  const items = [];
  let first = null;
  for (const detail of error.details) {
    const field = form.querySelector(`[data-field="${CSS.escape(detail.field)}"]`);
    // The control the message is about: the one the field names, or its first shown.
    const named = field?.dataset.errorTarget && document.getElementById(field.dataset.errorTarget);
    const target = named || [...(field?.querySelectorAll("input, select") || [])].find((c) => !c.hidden) || null;
    const label = field?.querySelector("label, legend")?.textContent.trim() || detail.field;
    if (field) {
      const slot = field.querySelector(".field-error");
      slot.textContent = detail.message;
      slot.hidden = false;
      if (target) {
        target.setAttribute("aria-invalid", "true");
        const described = new Set((target.getAttribute("aria-describedby") || "").split(" "));
        described.add(slot.id);
        target.setAttribute("aria-describedby", [...described].filter(Boolean).join(" "));
        first ||= target;
      }
    }
    items.push(el("li", {}, target
      ? el("a", { href: `#${target.id}` }, `${label}: ${detail.message}`)
      : `${label}: ${detail.message}`));
  }
  summary.replaceChildren(
    el("p", {}, error.details.length ? intro : message),
    items.length ? el("ul", {}, items) : "");
  summary.hidden = false;
  (first || summary).focus();
}
