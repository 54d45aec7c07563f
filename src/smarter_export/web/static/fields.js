// One input per filter that /sources describes, or per format option that /formats describes,
// chosen by its type. Generic on purpose: a source or a format added to the service (analytics'
// metric and groupBy, Parquet's compression, say) gets its inputs here without a change to this
// page. A field with a `default` (every format option; a filter's, from /sources) starts at it.

import { call } from "./api.js";
import { el } from "./dom.js";
import { count, humanize } from "./format.js";

const loaded = new Map(); // choicesUrl -> Promise of {choices, truncated}

export function clearChoiceCache() {
  loaded.clear();
}

function choicesFrom(url) {
  if (!loaded.has(url)) {
    const answer = call(url);
    answer.catch(() => loaded.delete(url));
    loaded.set(url, answer);
  }
  return loaded.get(url);
}

function option(value, label, selected = false) {
  return el("option", { value, selected }, label);
}

function hasDefault(filter) {
  return filter.default !== undefined && filter.default !== null;
}

function selectOf(id, filter, choices) {
  const select = el("select", { id, name: filter.name, required: filter.required });
  // Unset: any value for a filter, the server's default for an option (a boolean one).
  const unset = filter.type === "boolean" ? "Default" : "Any";
  if (!filter.required && !hasDefault(filter)) select.append(option("", unset));
  for (const choice of choices) {
    // A choice that is a character (a delimiter) has no words: show it as written, quoted.
    const label = humanize(choice) || JSON.stringify(choice);
    select.append(option(choice, label, choice === filter.default));
  }
  return select;
}

function remoteSelect(id, filter, hint) {
  const select = el("select", { id, name: filter.name, "aria-busy": "true" }, option("", "Any"));
  choicesFrom(filter.choicesUrl)
    .then((data) => {
      for (const choice of data.choices) select.append(option(choice.value, choice.label));
      if (data.truncated) {
        hint.textContent = `Only the first ${count(data.choices.length)} are listed.`;
        hint.hidden = false;
      }
    })
    .catch((error) => {
      hint.textContent = `The list could not be loaded (${error.message}).`;
      hint.hidden = false;
    })
    .finally(() => select.removeAttribute("aria-busy"));
  return select;
}

function control(id, filter, hint) {
  switch (filter.type) {
    case "date":
      return el("input", { id, name: filter.name, type: "date", required: filter.required });
    case "boolean":
      if (filter.default === null) {
        // Unset means the server's default: a choice of three, not a checkbox of two.
        return selectOf(id, { ...filter, default: undefined }, ["true", "false"]);
      }
      return el("input", { id, name: filter.name, type: "checkbox", checked: filter.default === true });
    case "choice":
      return selectOf(id, filter, filter.choices || []);
    case "array":
      if (!filter.choices) break;
      return el("select", { id, name: filter.name, multiple: true, required: filter.required },
        filter.choices.map((choice) => option(choice, humanize(choice))));
    case "integer":
    case "number":
      return el("input", {
        id, name: filter.name, type: "number", required: filter.required,
        step: filter.type === "integer" ? "1" : "any",
        value: hasDefault(filter) ? String(filter.default) : "",
      });
    default:
      if (filter.choicesUrl) return remoteSelect(id, filter, hint);
  }
  return el("input", { id, name: filter.name, type: "text", autocomplete: "off" });
}

function reader(input, filter) {
  if (input.type === "checkbox") {
    // Sent only when it differs from the default: ticked for `activeOnly` (false by default),
    // unticked for analytics' `chart` (true by default).
    const byDefault = hasDefault(filter) ? filter.default === true : false;
    return () => (input.checked === byDefault ? undefined : input.checked);
  }
  if (filter.type === "boolean") return () => (input.value === "" ? undefined : input.value === "true");
  if (input.type === "number") return () => (input.value === "" ? undefined : Number(input.value));
  if (input.multiple) {
    return () => {
      const picked = [...input.selectedOptions].map((choice) => choice.value);
      return picked.length ? picked : undefined;
    };
  }
  if (filter.type === "array") {
    return () => {
      const parts = input.value.split(",").map((part) => part.trim()).filter(Boolean);
      return parts.length ? parts : undefined;
    };
  }
  return () => (input.value === "" ? undefined : input.value);
}

// {element, read} for one filter; `read()` is undefined when the filter is left empty.
// `field` is the name the API's errors give it: "options.delimiter" for a format option.
export function filterField(filter, field = filter.name) {
  const id = `f-${field}`;
  const hint = el("p", { class: "hint", id: `hint-${field}` });
  const error = el("p", { class: "field-error", id: `error-${field}`, hidden: true });
  const input = control(id, filter, hint);
  const label = el("label", { for: id }, humanize(filter.name));
  if (filter.description) hint.textContent = filter.description;
  hint.hidden = !filter.description;
  input.setAttribute("aria-describedby", hint.id);
  const element = input.type === "checkbox"
    ? el("div", { class: "field field-check", "data-field": field },
      el("div", { class: "check" }, input, label), hint, error)
    : el("div", { class: "field", "data-field": field }, label, input, hint, error);
  return { element, read: reader(input, filter) };
}
