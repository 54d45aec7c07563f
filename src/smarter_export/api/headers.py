"""The headers every answer carries, whoever writes it: the middleware for the answers of the
routes, the last-resort error handler for a 500 (which Starlette sends outside the middleware)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response

REQUEST_ID_HEADER = "X-Request-ID"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Statuses, lists and files are private and change: never cached by a browser or a proxy.
NO_STORE_PREFIXES = ("/api/",)


def protect(response: Response, path: str) -> None:
    protect_headers(response.headers, path)


def protect_headers(headers: MutableHeaders, path: str) -> None:
    for header, value in SECURITY_HEADERS.items():
        headers.setdefault(header, value)
    if path.startswith(NO_STORE_PREFIXES):
        headers["Cache-Control"] = "no-store"
