// The Export Center: sign in with a bearer token, request exports, watch them, download them.
// Built on the public API only, so it is also a working example of how to call it.

import { API, ApiError, call } from "./api.js";
import { show } from "./dom.js";
import { ExportList } from "./exports.js";
import { clearChoiceCache } from "./fields.js";
import { RequestForm } from "./form.js";
import { ScheduleList } from "./schedules.js";
import { currentToken, describeToken, forgetToken, keepToken, takeTokenFromFragment } from "./session.js";
import { WebhookPanel } from "./webhooks.js";

const MESSAGES = {
  missing: "Sign in to use the Export Center: paste your access token below. "
    + "On a development machine, open the link that “make run” prints.",
  token_expired: "Your session has expired. Paste a new access token to sign in again.",
  invalid_token: "This access token was not accepted",
  no_sources: "Your token does not allow you to export any data. Ask an administrator for "
    + "export permission, or sign in with another token.",
};

const page = {
  loading: document.getElementById("loading"),
  signin: document.getElementById("signin"),
  signinMessage: document.getElementById("signin-message"),
  workspace: document.getElementById("workspace"),
  who: document.getElementById("who"),
  whoText: document.getElementById("who-text"),
};

const exportList = new ExportList({ onAuthProblem: (error) => signedOut(error) });
const schedules = new ScheduleList({
  onExportMade: () => exportList.created(),
  onAuthProblem: (error) => signedOut(error),
});
const webhooks = new WebhookPanel({ onAuthProblem: (error) => signedOut(error) });
const form = new RequestForm({
  onCreated: () => exportList.created(),
  onScheduled: () => schedules.changed(),
  onAuthProblem: (error) => signedOut(error),
});

function messageFor(error) {
  if (!error || error.code === "no_token") return MESSAGES.missing;
  if (error.status === 403) return `Your token does not allow this: ${error.message}`;
  if (error.code === "token_expired") return MESSAGES.token_expired;
  if (error.status === 401) return `${MESSAGES.invalid_token}: ${error.message}`;
  return `The service could not be reached (${error.message}). Try again in a moment.`;
}

function signedOut(error, reason = null) {
  exportList.stop();
  schedules.stop();
  webhooks.stop();
  if (error?.status === 401) forgetToken();
  show(page.loading, false);
  show(page.workspace, false);
  show(page.who, false);
  page.signinMessage.textContent = reason || messageFor(error);
  page.signin.dataset.reason = error?.code || (reason ? "no_sources" : "missing");
  show(page.signin, true);
  document.getElementById("token-input").focus();
}

async function signIn() {
  // A new token may be another person's or another firm's: start afresh.
  exportList.stop();
  schedules.stop();
  webhooks.stop();
  clearChoiceCache();
  const token = currentToken();
  if (!token) return signedOut(null);
  let sources;
  let formats;
  try {
    [sources, formats] = await Promise.all([call(`${API}/sources`), call(`${API}/formats`)]);
  } catch (error) {
    if (error instanceof ApiError) return signedOut(error);
    throw error;
  }
  if (!sources.length) return signedOut({ status: 403, code: "forbidden" }, MESSAGES.no_sources);
  const { user, email, expiresAt } = describeToken(token);
  page.whoText.textContent = [user && `Signed in as ${user}`,
    expiresAt && `until ${expiresAt.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`]
    .filter(Boolean).join(" ");
  show(page.loading, false);
  show(page.signin, false);
  show(page.who, true);
  show(page.workspace, true);
  form.loadFormats(formats);
  form.load(sources);
  form.signedIn(email);
  const linked = new URLSearchParams(window.location.search).get("export");
  if (linked) exportList.pick(linked);
  exportList.start(sources, formats);
  schedules.start(sources, formats);
  webhooks.start();
}

document.getElementById("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token-input");
  const token = input.value.trim();
  if (!token) return;
  keepToken(token.replace(/^Bearer\s+/i, ""));
  input.value = "";
  signIn();
});

document.getElementById("sign-out").addEventListener("click", () => {
  forgetToken();
  clearChoiceCache();
  signedOut(null);
});

// A link with a token opened in a tab that already shows the page changes only the fragment.
window.addEventListener("hashchange", () => {
  if (new URLSearchParams(window.location.hash.slice(1)).has("token")) {
    takeTokenFromFragment();
    signIn();
  }
});

takeTokenFromFragment();
signIn();
