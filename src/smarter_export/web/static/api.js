// The public HTTP API, as any client would call it: bearer token, JSON, the error envelope.

import { currentToken } from "./session.js";

export const API = "/api/v1/export";

export class ApiError extends Error {
  constructor(status, error, retryAfter = null) {
    super(error?.message || `The service answered ${status}.`);
    this.status = status;
    this.code = error?.code || "http_error";
    this.details = Array.isArray(error?.details) ? error.details : [];
    this.retryAfter = retryAfter;
  }
}

export async function call(path, { method = "GET", body } = {}) {
  const token = currentToken();
  if (!token) throw new ApiError(401, { code: "no_token", message: "No token yet." });
  const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { code: "network", message: "The service could not be reached." });
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, payload?.error, response.headers.get("Retry-After"));
  }
  return payload?.data;
}
