"""Request ids and security headers on every response."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from smarter_export.api.headers import REQUEST_ID_HEADER, protect


def install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_id_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        valid = 0 < len(given) <= 100 and given.isprintable()
        request.state.request_id = given if valid else str(uuid.uuid4())
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        protect(response, request.url.path)
        return response
