"""Request ids and security headers on every response."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.routing import BaseRoute

from smarter_export import metrics
from smarter_export.api.headers import REQUEST_ID_HEADER, protect


def _observe(request: Request, status: int, started: float) -> None:
    """The route's template (`/api/v1/export/status/{export_id}`), never the path with its ids."""
    route = request.scope.get("route")
    template = (
        route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else "unmatched"
    )
    metrics.http_request(template, request.method, status, time.perf_counter() - started)


def install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        valid = 0 < len(given) <= 100 and given.isprintable()
        request.state.request_id = given if valid else str(uuid.uuid4())
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:  # a bug: answered as a 500 by the last-resort handler, counted so here
            _observe(request, 500, started)
            raise
        _observe(request, response.status_code, started)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        protect(response, request.url.path)
        return response
