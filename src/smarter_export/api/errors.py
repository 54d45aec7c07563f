"""Every failure as the error envelope, with a request id: no bare 500s, no stack traces out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from smarter_export.api.headers import REQUEST_ID_HEADER, protect
from smarter_export.api.openapi import documented_methods
from smarter_export.errors import ExportError, FieldProblem, NotReady, ValidationFailed
from smarter_export.log import get_logger

log = get_logger("smarter_export.api")
_LOCATIONS = ("body", "query", "path", "header")
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _names_a_field(part: object) -> bool:
    """Keep `pageSize` of ("query", "pageSize"); drop where it came from and list indexes."""
    return isinstance(part, str) and part not in _LOCATIONS and not part.isdigit()


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or str(uuid.uuid4())


def error_response(
    request: Request,
    status: int,
    *,
    code: str,
    message: str,
    details: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = request_id_of(request)
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": [{"field": d.field, "message": d.message} for d in details or []],
            "requestId": request_id,
            "timestamp": datetime.now(UTC).isoformat(),
        }
    }
    return JSONResponse(
        body, status_code=status, headers={**(headers or {}), REQUEST_ID_HEADER: request_id}
    )


async def _export_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ExportError)
    headers: dict[str, str] = {}
    if isinstance(error, NotReady) and error.retry_after_seconds:
        headers["Retry-After"] = str(error.retry_after_seconds)
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="smarter-export"'
    extra = getattr(error, "headers", None)
    if isinstance(extra, dict):
        headers.update(extra)
    details = error.problems if isinstance(error, ValidationFailed) else None
    return error_response(
        request,
        error.http_status,
        code=error.code,
        message=error.message,
        details=details,
        headers=headers,
    )


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [
        FieldProblem(
            ".".join(str(p) for p in e.get("loc", ()) if _names_a_field(p)) or "body",
            str(e.get("msg", "invalid")),
        )
        for e in error.errors()
    ]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
    return error_response(
        request,
        400,
        code="validation_error",
        message=f"Invalid request: {summary}",
        details=problems,
    )


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(
        request, error.status_code, code=code, message=str(error.detail), headers=headers
    )


def allowed_methods(request: Request) -> list[str]:
    """The methods of the resource at this path (RFC 9110 asks a 405 to list them all).

    For the API, the methods the document gives the path's most specific template: so
    `/api/v1/export/formats` allows GET, although `POST /{format}` would take the same path and
    refuse it as an unknown format (Starlette's own `Allow` names the first route that matched
    the path, and only its methods). Elsewhere (pages, static files), the methods the router
    would take there.
    """
    documented = documented_methods(request.app.openapi(), request.url.path)
    if documented:
        return documented
    root = request.scope.get("app_root_path", "")  # a mount moved its prefix into root_path
    allowed = []
    for method in PROBED_METHODS:
        scope = {**request.scope, "method": method, "root_path": root}
        route = next(
            (r for r in request.app.router.routes if r.matches(scope)[0] is Match.FULL), None
        )
        # A mount of static files takes every method and answers GET and HEAD.
        if route is not None and (not isinstance(route, Mount) or method in ("GET", "HEAD")):
            allowed.append(method)
    return allowed


async def _unexpected(request: Request, error: Exception) -> Response:
    log.error(
        "api.unexpected_error", request_id=request_id_of(request), error=repr(error), exc_info=error
    )
    reference = request_id_of(request)
    message = f"Something went wrong on our side; quote request id {reference} to support."
    response = error_response(request, 500, code="internal_error", message=message)
    protect(response, request.url.path)  # Starlette sends this one outside the middleware
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ExportError, _export_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
