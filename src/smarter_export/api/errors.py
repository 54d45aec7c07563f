"""Every failure as the error envelope, with a request id: no bare 500s, no stack traces out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from smarter_export.api.headers import REQUEST_ID_HEADER, protect
from smarter_export.errors import ExportError, FieldProblem, NotReady, ValidationFailed
from smarter_export.log import get_logger

log = get_logger("smarter_export.api")
_LOCATIONS = ("body", "query", "path", "header")


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
    return error_response(request, error.status_code, code=code, message=str(error.detail))


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
