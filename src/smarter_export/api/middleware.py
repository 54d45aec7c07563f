"""Request ids and security headers on every response."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smarter_export.api.errors import REQUEST_ID_HEADER

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Statuses, lists and files are private and change: never cached by a browser or a proxy.
NO_STORE_PREFIXES = ("/api/",)


class RequestIdAndHeaders:
    """Plain ASGI, not `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs every
    request through an extra task and a streamed copy of the response, which cost a status poll
    more than its own work."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        valid = 0 < len(given) <= 100 and given.isprintable()
        request_id = given if valid else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id  # request.state.request_id
        no_store = str(scope["path"]).startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for header, value in SECURITY_HEADERS.items():
                    headers.setdefault(header, value)
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_middleware(app: FastAPI) -> None:
    app.add_middleware(RequestIdAndHeaders)
