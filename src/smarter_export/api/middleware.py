"""Request ids, security headers and the request metric on every response."""

from __future__ import annotations

import time
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smarter_export import metrics
from smarter_export.api.headers import REQUEST_ID_HEADER, protect_headers


def _route_template(scope: Scope) -> str:
    """The route's template (`/api/v1/export/status/{export_id}`), never the path with its ids."""
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) else "unmatched"


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
        path = str(scope["path"])
        started = time.perf_counter()
        status = 500  # a bug: answered as a 500 by the last-resort handler, counted so here

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                protect_headers(headers, path)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            metrics.http_request(
                _route_template(scope), str(scope["method"]), status, time.perf_counter() - started
            )


def install_middleware(app: FastAPI) -> None:
    app.add_middleware(RequestIdAndHeaders)
