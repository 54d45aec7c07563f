"""The OpenAPI document: what the routes declare, finished with what FastAPI cannot derive.

The routes declare their operation ids, statuses, headers and content types (`problems` below
gives the error envelope per status). This module adds the rest once per process: the typed
export request bodies (`export_request.py`), the links a client follows from a created export
or schedule to the operations on it, `X-Request-ID` on every answer, the signed link's
alternative to the bearer token, and it drops FastAPI's 422, which this service never answers
(a bad request is a 400 with the error envelope).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from smarter_export.api.export_request import export_request_components
from smarter_export.api.headers import REQUEST_ID_HEADER
from smarter_export.api.schemas import ErrorEnvelope

BEARER = "bearerAuth"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def header(description: str, kind: str = "string", *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": kind}}


RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": header("Creations allowed in the tightest window.", "integer"),
    "RateLimit-Remaining": header("Creations left in that window.", "integer"),
    "RateLimit-Reset": header("Seconds until that window has room again.", "integer"),
}
_PROBLEMS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Invalid request: `error.details` names each field.", {}),
    401: (
        "Missing, invalid or expired bearer token.",
        {"WWW-Authenticate": header('Bearer realm="smarter-export"', required=True)},
    ),
    403: ("Not allowed: no permission, or x-tenant-id differs from the token.", {}),
    404: ("Not found in your firm.", {}),
    409: (
        "Not ready yet (see Retry-After), or the export failed or was cancelled.",
        {"Retry-After": header("Seconds to wait before trying again.", "integer")},
    ),
    410: ("The link or the file has expired, or the file was deleted.", {}),
    413: ("Body over 64 KB.", {}),
    429: (
        "Too many requests: see Retry-After.",
        {
            "Retry-After": header("Seconds to wait.", "integer", required=True),
            **RATE_LIMIT_HEADERS,
        },
    ),
    500: ("Something went wrong on our side: quote `error.requestId` to support.", {}),
}


def problems(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The error answers of an operation, each the error envelope; `s404="..."` rewords one."""
    declared: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        text, headers = _PROBLEMS[status]
        declared[status] = {
            "model": ErrorEnvelope,
            "description": descriptions.get(f"s{status}", text),
            **({"headers": headers} if headers else {}),
        }
    return declared


def _link(operation_id: str, parameter: str, pointer: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": {parameter: f"$response.body#{pointer}"}}


# operation id -> the status of its answer, and the operations that answer leads to.
_EXPORT = ("export_id", "/data/exportId")
_SCHEDULE = ("schedule_id", "/data/scheduleId")
_WEBHOOK = ("webhook_id", "/data/webhookId")
LINKS: dict[str, tuple[tuple[str, ...], tuple[str, str], tuple[str, ...]]] = {
    "createExport": (
        ("202", "200"),
        _EXPORT,
        ("getExportStatus", "listExportEvents", "downloadExport", "cancelExport"),
    ),
    "getExportStatus": (("200",), _EXPORT, ("listExportEvents", "downloadExport", "cancelExport")),
    "createSchedule": (
        ("201",),
        _SCHEDULE,
        ("getSchedule", "updateSchedule", "runSchedule", "listScheduleEvents", "deleteSchedule"),
    ),
    "runSchedule": (("202",), ("export_id", "/data/export/exportId"), ("getExportStatus",)),
    "registerWebhook": (
        ("201",),
        _WEBHOOK,
        ("testWebhook", "listWebhookDeliveries", "deleteWebhook"),
    ),
}


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    body, schemas = export_request_components()
    components = document.setdefault("components", {})
    found = components.setdefault("schemas", {})
    found.update(schemas)
    found["ExportRequest"] = body
    for name in ("HTTPValidationError", "ValidationError"):
        found.pop(name, None)
    operations = {
        operation["operationId"]: operation
        for path in document["paths"].values()
        for method, operation in path.items()
        if method in HTTP_METHODS
    }
    for operation in operations.values():
        _finish(operation)
    for operation_id, (statuses, (parameter, pointer), targets) in LINKS.items():
        if operation_id not in operations:
            continue
        links = {t: _link(t, parameter, pointer) for t in targets if t in operations}
        for status in statuses:
            operations[operation_id]["responses"][status]["links"] = links
    return document


def _finish(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    responses.pop("422", None)  # FastAPI's; ours is the 400 with the error envelope
    for answer in responses.values():
        answer.setdefault("headers", {})[REQUEST_ID_HEADER] = header(
            "This request's id, in the logs and in an error's `requestId`.", required=True
        )
    if operation.get("x-signed-link"):  # the signed link needs no token
        operation.pop("x-signed-link")
        operation["security"] = [{BEARER: []}, {}]


def documented_methods(document: dict[str, Any], path: str) -> list[str]:
    """The methods the document gives the most specific path template that `path` fits
    (literal segments beat parameters): what a 405's `Allow` lists."""
    fitting = [
        (template.count("{"), operations)
        for template, operations in document.get("paths", {}).items()
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path)
    ]
    fewest = min((count for count, _ in fitting), default=0)
    return sorted(
        {
            method.upper()
            for count, operations in fitting
            if count == fewest
            for method in operations
            if method in HTTP_METHODS
        }
    )


def camel_case_id(route: APIRoute) -> str:
    """A route that names no operation: its function's name in camelCase, never FastAPI's
    `create_export_api_v1_export_format_post` (tests/api/test_openapi.py asks for a name)."""
    first, *rest = route.name.split("_")
    return first + "".join(part.title() for part in rest)


def install_openapi(app: FastAPI) -> None:
    """Serve the finished document at /openapi.json, built once."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
