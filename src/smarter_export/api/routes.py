"""The export endpoints under /api/v1/export: thin, each one call into the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from smarter_export.api.body import json_object
from smarter_export.api.deps import (
    CallerDep,
    CurrentPrincipal,
    LimiterDep,
    PrincipalIfAny,
    ServiceDep,
    ViewsDep,
    client_of,
)
from smarter_export.api.openapi import RATE_LIMIT_HEADERS, header, problems
from smarter_export.api.schemas import (
    Envelope,
    EventView,
    ExportListView,
    ExportView,
    FormatView,
    PageView,
    SourceView,
)
from smarter_export.api.views import format_view, source_view
from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import GZIP_CONTENT_TYPE
from smarter_export.formats.registry import FORMATS as EXPORT_FORMATS
from smarter_export.formats.registry import accepted_format_names
from smarter_export.jobs.downloads import LinkParams
from smarter_export.jobs.records import JobStatus
from smarter_export.sources.registry import SOURCES
from smarter_export.storage.base import LocalDownload
from smarter_export.urls import API_PREFIX, DOWNLOAD_ROUTE

router = APIRouter(prefix=API_PREFIX, tags=["exports"])

# The error answers the schedule and webhook routes share.
ERRORS = problems(400, 401, 403, 404, 413, 500)
CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportRequest"}}},
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Send the same request again with the same key and get the same "
            "export back (200) rather than a second one.",
            # Printable, and no space at either end (HTTP strips those).
            "schema": {"type": "string", "pattern": r"^[!-~]([ -~]{0,198}[!-~])?$"},
        }
    ],
}
CREATED_HEADERS = {
    "Location": header("The export's status URL.", required=True),
    **RATE_LIMIT_HEADERS,
}
FORMAT_NAMES = "One of " + ", ".join(
    f"{f.name} (or {', '.join(f.aliases)})" if f.aliases else f.name for f in EXPORT_FORMATS
)
FORMAT_ENUM = list(accepted_format_names())
FILE_TYPES = dict.fromkeys(
    [
        *(f.file.content_type for f in EXPORT_FORMATS),
        *(f.several_tables.content_type for f in EXPORT_FORMATS if f.several_tables),
        GZIP_CONTENT_TYPE,
    ]
)
EXPORT_ID = Path(description="The `exportId` of the export.")


@router.post(
    "/{format}",
    status_code=202,
    response_model=Envelope[ExportView],
    responses={
        202: {"description": "Queued: poll `statusUrl`.", "headers": CREATED_HEADERS},
        200: {
            "model": Envelope[ExportView],
            "description": "The export this Idempotency-Key already made, as it stands now.",
            "headers": CREATED_HEADERS,
        },
        **problems(400, 401, 403, 413, 429, 500),
    },
    openapi_extra=CREATE_BODY,
    summary="Request an export",
    operation_id="createExport",
)
async def create_export(
    format: Annotated[str, Path(description=FORMAT_NAMES, json_schema_extra={"enum": FORMAT_ENUM})],
    request: Request,
    response: Response,
    caller: CallerDep,
    service: ServiceDep,
    limiter: LimiterDep,
    views: ViewsDep,
) -> Envelope[ExportView]:
    """Validate, queue and answer at once; poll `statusUrl` for progress and the link."""
    response.headers.update(limiter.take(caller.principal))
    body = await json_object(request)
    key = request.headers.get("idempotency-key")
    if key is not None and not (0 < len(key) <= 200 and key.isprintable()):
        raise ValidationFailed.one("Idempotency-Key", "give 1 to 200 printable characters")
    # In the thread pool: a write may wait for SQLite's lock or PostgreSQL, and queueing may
    # wait for Redis; the event loop goes on answering status polls meanwhile.
    created = await run_in_threadpool(
        service.create_export, caller, format, body, idempotency_key=key
    )
    view = views.of(created.job)
    response.headers["Location"] = view.status_url
    if created.existing:
        response.status_code = 200
    return Envelope(data=view)


@router.get(
    "/sources",
    response_model=Envelope[list[SourceView]],
    responses=problems(401, 403, 500),
    operation_id="listSources",
)
def list_sources(principal: CurrentPrincipal) -> Envelope[list[SourceView]]:
    """The data sources you may export, with their columns and filters."""
    return Envelope(
        data=[
            source_view(source)
            for source in SOURCES.values()
            if source.available and principal.may_export(source.name)
        ]
    )


@router.get(
    "/formats",
    response_model=Envelope[list[FormatView]],
    responses=problems(401, 403, 500),
    operation_id="listFormats",
)
def list_formats(principal: CurrentPrincipal) -> Envelope[list[FormatView]]:
    """The formats an export can be written in, with the options each takes in `options`."""
    return Envelope(data=[format_view(export_format) for export_format in EXPORT_FORMATS])


@router.get(
    "/status/{export_id}",
    response_model=Envelope[ExportView],
    responses=problems(401, 403, 404, 500),
    operation_id="getExportStatus",
)
async def export_status(
    export_id: Annotated[str, EXPORT_ID],
    principal: CurrentPrincipal,
    service: ServiceDep,
    views: ViewsDep,
) -> Envelope[ExportView]:
    """Status, progress with an estimated completion time, and the signed link once done."""
    # On SQLite one read by primary key of a local file costs less than the hand-off to the
    # thread pool and back (which halved the polls a core answers); a database across the
    # network (or a pool with no connection free) must not hold every other request up.
    if service.engine.dialect.name == "sqlite":
        job = service.get(principal, export_id)
    else:
        job = await run_in_threadpool(service.get, principal, export_id)
    return Envelope(data=views.of(job))


@router.get(
    DOWNLOAD_ROUTE,
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file, as an attachment, in its format's content type.",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in FILE_TYPES
            },
            "headers": {
                "Content-Disposition": header("attachment; filename=...", required=True),
                "X-Content-SHA256": header("The file's SHA-256, as in the status.", required=True),
            },
        },
        307: {
            "description": "Redirect to a fresh, short-lived object-storage URL.",
            "headers": {"Location": header("The object-storage URL.", required=True)},
        },
        **problems(
            400,
            401,
            403,
            404,
            409,
            410,
            500,
            s403="Bad or forged link signature, or no permission.",
        ),
    },
    operation_id="downloadExport",
    openapi_extra={"x-signed-link": True},
)
def download(
    export_id: Annotated[str, EXPORT_ID],
    request: Request,
    principal: PrincipalIfAny,
    service: ServiceDep,
    expires: Annotated[int | None, Query(description="From the signed link.")] = None,
    signature: Annotated[
        str | None, Query(max_length=200, description="From the signed link.")
    ] = None,
) -> Response:
    """Follow the signed link (no header needed), or call with a bearer token of the firm."""
    address, agent = client_of(request)
    opened = service.open_download(
        export_id,
        principal=principal,
        link=LinkParams(expires, signature),
        client_address=address,
        user_agent=agent,
    )
    if not isinstance(opened.target, LocalDownload):
        return RedirectResponse(
            opened.target.url, status_code=307, headers={"Cache-Control": "no-store"}
        )
    return FileResponse(
        opened.target.path,
        media_type=opened.job.content_type,
        filename=opened.file_name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "no-store", "X-Content-SHA256": opened.job.sha256 or ""},
    )


@router.get(
    "",
    response_model=Envelope[ExportListView],
    responses=problems(400, 401, 403, 500),
    operation_id="listExports",
)
def list_exports(
    principal: CurrentPrincipal,
    service: ServiceDep,
    views: ViewsDep,
    status: Annotated[list[JobStatus] | None, Query(description="Only these statuses.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=100)] = 20,
) -> Envelope[ExportListView]:
    """Your firm's exports, newest first."""
    jobs, total = service.list_exports(
        principal,
        statuses=tuple(s.value for s in status or ()),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return Envelope(
        data=ExportListView(
            exports=[views.of(job) for job in jobs],
            pagination=PageView(page=page, page_size=page_size, total=total),
        )
    )


@router.delete(
    "/{export_id}",
    response_model=Envelope[ExportView],
    responses=problems(401, 403, 404, 500),
    operation_id="cancelExport",
)
def cancel_or_delete(
    export_id: Annotated[str, EXPORT_ID], caller: CallerDep, service: ServiceDep, views: ViewsDep
) -> Envelope[ExportView]:
    """Cancel a pending or running export, or delete a finished file early."""
    return Envelope(data=views.of(service.cancel_or_delete(caller, export_id)))


@router.get(
    "/{export_id}/events",
    response_model=Envelope[list[EventView]],
    responses=problems(401, 403, 404, 500),
    operation_id="listExportEvents",
)
def export_events(
    export_id: Annotated[str, EXPORT_ID], principal: CurrentPrincipal, service: ServiceDep
) -> Envelope[list[EventView]]:
    """The audit trail of one export: who created, ran, downloaded or deleted it, when."""
    return Envelope(
        data=[EventView.model_validate(e) for e in service.events(principal, export_id)]
    )
