// The bearer token of this tab: taken from the link's fragment, kept in sessionStorage.
// A fragment never reaches a server or its logs; it is removed from the address bar at once so
// that it is not bookmarked, shared or kept in the history.

const STORAGE_KEY = "smarterExport.token";

export function takeTokenFromFragment() {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get("token");
  if (!token) return;
  sessionStorage.setItem(STORAGE_KEY, token.trim());
  fragment.delete("token");
  const rest = fragment.toString();
  const clean = window.location.pathname + window.location.search + (rest ? `#${rest}` : "");
  history.replaceState(history.state, "", clean);
}

export function currentToken() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function keepToken(token) {
  sessionStorage.setItem(STORAGE_KEY, token.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(STORAGE_KEY);
}

// Who the token says it is, for display only: the service checks the signature on every call.
export function describeToken(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
    return {
      user: typeof claims.sub === "string" ? claims.sub : null,
      email: typeof claims.email === "string" ? claims.email : null,
      expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
    };
  } catch {
    return { user: null, email: null, expiresAt: null };
  }
}
