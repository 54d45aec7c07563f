"""How an export that nobody runs comes to an end, so that no job waits forever.

A job is *spent* when it must not run again: cancelled, out of attempts (its worker stopped
under it `max_attempts` times: a poison export), or past its time limit (counted from its first
start, across attempts). A spent job that no live worker holds is ended here: `cancelled`, or
`failed` with a message a person can act on. The reaper settles all of them at every sweep; a
worker settles the one it was handed and could not claim. Each end is one conditional UPDATE,
so a reaper, a worker and a cancel can race safely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from smarter_export import metrics
from smarter_export.errors import ExportError, TimeLimitExceeded, WorkerStopped
from smarter_export.jobs import store
from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.log import get_logger
from smarter_export.settings import Settings

log = get_logger("smarter_export.jobs")


def run_limits(settings: Settings) -> store.RunLimits:
    return store.RunLimits(settings.max_attempts, settings.job_time_limit_seconds)


@dataclass(frozen=True)
class Ended:
    job: ExportJob
    status: JobStatus
    error_code: str | None


def settle(
    connection: Connection,
    *,
    now: datetime,
    limits: store.RunLimits,
    export_id: str | None = None,
) -> list[Ended]:
    """End the spent jobs nobody holds (or just `export_id`); the caller commits."""
    ended: list[Ended] = []
    for job in store.spent_and_unheld(connection, now=now, limits=limits, export_id=export_id):
        final: dict[str, Any] = {
            "updated_at": now,
            "completed_at": now,
            "lease_owner": None,
            "lease_expires_at": None,
            "phase": None,
        }
        error = _why_failed(connection, job, now, limits)
        if error is None:
            final["status"] = JobStatus.CANCELLED
            event, details = AuditEvent.CANCELLED, {}
        else:
            final.update(
                status=JobStatus.FAILED, error_code=error.code, error_message=error.message
            )
            event, details = AuditEvent.FAILED, {"error": error.code}
        if not store.end_unheld(connection, job.id, now=now, limits=limits, values=final):
            continue  # a worker took it, or it ended, meanwhile
        store.record_event(connection, job, event, now=now, actor="system", details=details)
        log.warning(
            "export.settled",
            export_id=job.id,
            tenant_id=job.tenant_id,
            status=final["status"],
            error_code=error.code if error else None,
            attempts=job.attempts,
        )
        metrics.export_finished(final["status"], job.format)
        ended.append(Ended(job, final["status"], error.code if error else None))
    return ended


def _why_failed(
    connection: Connection, job: ExportJob, now: datetime, limits: store.RunLimits
) -> ExportError | None:
    """None for a cancellation (asked for, so not a failure); else what ended the export."""
    if job.cancel_requested:
        return None
    if job.first_started_at is not None and job.first_started_at < limits.time_limit_start(now):
        return TimeLimitExceeded.after(limits.time_limit_seconds)
    return WorkerStopped.times(max(store.runs_ended_by_a_stop(connection, job.id), 1))
