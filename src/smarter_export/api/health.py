"""Liveness, readiness (database, queue, storage) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from smarter_export import metrics as service_metrics
from smarter_export.api.deps import RuntimeDep
from smarter_export.api.openapi import problems
from smarter_export.clock import utcnow
from smarter_export.errors import megabytes
from smarter_export.jobs import space
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage

router = APIRouter(tags=["health"])


STATUS = {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]}
READINESS = {
    "type": "object",
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ready", "not_ready"]},
                "checks": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["status", "checks"],
        }
    },
    "required": ["data"],
}


@router.get(
    "/healthz",
    operation_id="getLiveness",
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"data": STATUS},
                        "required": ["data"],
                    }
                }
            }
        },
        **problems(500),
    },
)
def healthz() -> dict[str, Any]:
    """The process is up."""
    return {"data": {"status": "ok"}}


@router.get(
    "/readyz",
    operation_id="getReadiness",
    responses={
        200: {"description": "Ready.", "content": {"application/json": {"schema": READINESS}}},
        503: {
            "description": "Not ready: `checks` names what does not answer.",
            "content": {"application/json": {"schema": READINESS}},
        },
        **problems(500),
    },
)
def readyz(runtime: RuntimeDep) -> Response:
    """Database, queue and storage all answer; 503 names the one that does not.

    `disk` says `low: ...` when a folder the service writes has less free space than
    `low_disk_bytes`: a warning to act on, not a 503. Exports then wait for space and are
    retried; taking the service out of rotation would refuse creations that can still queue.
    """
    checks: dict[str, str] = {}

    def database() -> None:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    probes = {
        "database": database,
        "queue": runtime.queue.check,
        "storage": runtime.storage.check,
    }
    for name, probe in probes.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception as error:  # readiness reports the failure instead of raising it
            checks[name] = f"failed: {type(error).__name__}"
    ready = all(v == "ok" for v in checks.values())
    checks["disk"] = _disk(runtime.settings, runtime.storage)
    body = {"data": {"status": "ready" if ready else "not_ready", "checks": checks}}
    return JSONResponse(body, status_code=200 if ready else 503)


def _disk(settings: Settings, storage: FileStorage) -> str:
    low = space.low_folders(space.service_folders(settings, storage), settings.low_disk_bytes)
    if not low:
        return "ok"
    folders = ", ".join(f"{name} has {megabytes(size)} free" for name, size in low.items())
    return f"low: {folders} (warned below {megabytes(settings.low_disk_bytes)})"


@router.get(
    "/metrics",
    operation_id="getMetrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format.",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        },
        **problems(500),
    },
)
def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus text format; labels are bounded (source, format, outcome, route, status)."""
    service_metrics.read_job_states(runtime.engine, utcnow())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
