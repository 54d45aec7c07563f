"""Reads and writes of export_job and export_event rows. Callers own the transaction.

Every state change is a conditional UPDATE, so two workers, a reaper and a cancel can race
without any of them overwriting the others: whoever's condition still holds wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, func, not_, or_, select, update

from smarter_export.jobs.records import AuditEvent, ExportJob, JobStatus
from smarter_export.jobs.tables import export_event, export_job
from smarter_export.log import get_logger

audit_log = get_logger("smarter_export.audit")


def insert_job(connection: Connection, values: Mapping[str, Any]) -> None:
    connection.execute(export_job.insert(), dict(values))


# Built once: a status poll reads one job, and building the statement for each read cost about
# as much as running it.
_JOB_BY_ID = select(export_job).where(export_job.c.id == bindparam("export_id"))
_TENANTS_JOB = _JOB_BY_ID.where(export_job.c.tenant_id == bindparam("tenant_id"))


def get_job(
    connection: Connection, export_id: str, tenant_id: str | None = None
) -> ExportJob | None:
    if tenant_id is None:
        row = connection.execute(_JOB_BY_ID, {"export_id": export_id}).first()
    else:
        parameters = {"export_id": export_id, "tenant_id": tenant_id}
        row = connection.execute(_TENANTS_JOB, parameters).first()
    return ExportJob.from_row(row) if row else None


def find_duplicate(
    connection: Connection,
    *,
    tenant_id: str,
    user_id: str,
    idempotency_key: str | None,
    fingerprint: str,
) -> ExportJob | None:
    """The same user's export with this Idempotency-Key, or an identical one still pending."""
    mine = and_(export_job.c.tenant_id == tenant_id, export_job.c.user_id == user_id)
    same = (
        export_job.c.idempotency_key == idempotency_key
        if idempotency_key
        else and_(
            export_job.c.request_fingerprint == fingerprint,
            export_job.c.status == JobStatus.PENDING,
        )
    )
    row = connection.execute(
        select(export_job).where(mine, same).order_by(export_job.c.created_at.desc()).limit(1)
    ).first()
    return ExportJob.from_row(row) if row else None


def list_jobs(
    connection: Connection,
    *,
    tenant_id: str,
    statuses: tuple[str, ...],
    limit: int,
    offset: int,
) -> tuple[list[ExportJob], int]:
    where = [export_job.c.tenant_id == tenant_id]
    if statuses:
        where.append(export_job.c.status.in_(statuses))
    total = connection.execute(select(func.count()).select_from(export_job).where(*where))
    rows = connection.execute(
        select(export_job)
        .where(*where)
        .order_by(export_job.c.created_at.desc(), export_job.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [ExportJob.from_row(r) for r in rows], int(total.scalar_one())


class Claim(StrEnum):
    TAKEN = "taken"
    NOT_CLAIMABLE = "not_claimable"  # done, not due yet, held by a live worker, or spent
    TENANT_BUSY = "tenant_busy"  # claimable, but its firm already runs its share


@dataclass(frozen=True)
class RunLimits:
    """How often and how long one export may run, across all its attempts."""

    max_attempts: int
    time_limit_seconds: int

    def time_limit_start(self, now: datetime) -> datetime:
        """A job first started before this has run out of time."""
        return now - timedelta(seconds=self.time_limit_seconds)


def unheld(now: datetime) -> ColumnElement[bool]:
    """Nobody runs it: it waits, or the worker that held it stopped renewing its lease."""
    return or_(
        export_job.c.status == JobStatus.PENDING,
        and_(export_job.c.status == JobStatus.PROCESSING, export_job.c.lease_expires_at < now),
    )


def spent(now: datetime, limits: RunLimits) -> ColumnElement[bool]:
    """A job that must not run again: cancelled, out of attempts, or out of time."""
    return or_(
        export_job.c.cancel_requested.is_(True),
        export_job.c.attempts >= limits.max_attempts,
        # Never NULL (NOT NULL is NULL in SQL, and would make every job unclaimable).
        and_(
            export_job.c.first_started_at.is_not(None),
            export_job.c.first_started_at < limits.time_limit_start(now),
        ),
    )


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            export_job.c.status == JobStatus.PENDING,
            or_(export_job.c.next_attempt_at.is_(None), export_job.c.next_attempt_at <= now),
        ),
        and_(export_job.c.status == JobStatus.PROCESSING, export_job.c.lease_expires_at < now),
    )


def claim(
    connection: Connection,
    export_id: str,
    *,
    worker: str,
    now: datetime,
    lease_until: datetime,
    max_running_per_tenant: int,
    limits: RunLimits,
) -> Claim:
    """Take a pending job, or one whose lease has lapsed; at most one worker wins.

    A spent job (cancelled, out of attempts or time) is never taken: `lifecycle.settle` ends it.
    A firm runs at most `max_running_per_tenant` exports at once: the count of its live ones is
    part of the same UPDATE, so the check and the take cannot be separated by another claim.
    """
    job = connection.execute(
        select(export_job.c.tenant_id).where(export_job.c.id == export_id)
    ).first()
    if job is None:
        return Claim.NOT_CLAIMABLE
    _serialize_tenant(connection, job.tenant_id)
    claimable = and_(export_job.c.id == export_id, _due(now), not_(spent(now, limits)))
    running = export_job.alias("running")
    running_now = (
        select(func.count())
        .select_from(running)
        .where(
            running.c.tenant_id == job.tenant_id,
            running.c.status == JobStatus.PROCESSING,
            running.c.lease_expires_at >= now,
            running.c.id != export_id,
        )
        .scalar_subquery()
    )
    result = connection.execute(
        update(export_job)
        .where(claimable, running_now < max_running_per_tenant)
        .values(
            status=JobStatus.PROCESSING,
            lease_owner=worker,
            lease_expires_at=lease_until,
            attempts=export_job.c.attempts + 1,
            started_at=now,
            first_started_at=func.coalesce(export_job.c.first_started_at, now),
            rows_started_at=None,
            phase=None,
            progress_at=now,
            rows_processed=0,
            updated_at=now,
        )
    )
    if result.rowcount == 1:
        return Claim.TAKEN
    still_claimable = connection.execute(select(export_job.c.id).where(claimable)).first()
    return Claim.TENANT_BUSY if still_claimable else Claim.NOT_CLAIMABLE


def wait_turn(connection: Connection, export_id: str, *, now: datetime) -> None:
    """Mark a job that waits for its firm's turn as seen, so the reaper does not re-deliver it."""
    connection.execute(
        update(export_job)
        .where(export_job.c.id == export_id, export_job.c.status == JobStatus.PENDING)
        .values(updated_at=now)
    )


def _serialize_tenant(connection: Connection, tenant_id: str) -> None:
    """Claims of one firm take turns. SQLite has one writer at a time already; PostgreSQL
    takes a transaction-scoped advisory lock, so two claims cannot both see a free slot."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"smarter-export:{tenant_id}")))
        )


def update_held(
    connection: Connection,
    export_id: str,
    *,
    worker: str,
    values: Mapping[str, Any],
    unless_cancelled: bool = False,
) -> bool:
    """Change a job this worker still holds; False when the lease was lost (or, with
    `unless_cancelled`, when a cancel was asked for)."""
    held = and_(
        export_job.c.id == export_id,
        export_job.c.status == JobStatus.PROCESSING,
        export_job.c.lease_owner == worker,
    )
    if unless_cancelled:
        held = and_(held, export_job.c.cancel_requested.is_(False))
    result = connection.execute(update(export_job).where(held).values(**values))
    return result.rowcount == 1


def update_where(
    connection: Connection,
    export_id: str,
    *,
    statuses: tuple[JobStatus, ...],
    values: Mapping[str, Any],
) -> bool:
    result = connection.execute(
        update(export_job)
        .where(export_job.c.id == export_id, export_job.c.status.in_(statuses))
        .values(**values)
    )
    return result.rowcount == 1


def is_cancel_requested(connection: Connection, export_id: str) -> bool:
    return bool(
        connection.execute(
            select(export_job.c.cancel_requested).where(export_job.c.id == export_id)
        ).scalar()
    )


def lapsed_or_undelivered(
    connection: Connection,
    *,
    now: datetime,
    undelivered_before: datetime,
    limits: RunLimits,
    limit: int = 500,
) -> list[str]:
    """Jobs a worker died holding, and pending jobs nobody has picked up for a while, that may
    still run (spent ones are ended by `lifecycle.settle`, never re-delivered)."""
    rows = connection.execute(
        select(export_job.c.id)
        .where(
            _due(now),
            not_(spent(now, limits)),
            or_(
                export_job.c.status == JobStatus.PROCESSING,
                export_job.c.updated_at < undelivered_before,
            ),
        )
        .order_by(export_job.c.created_at)  # re-delivered in the order they were asked for
        .limit(limit)
    )
    return [r[0] for r in rows]


def spent_and_unheld(
    connection: Connection,
    *,
    now: datetime,
    limits: RunLimits,
    export_id: str | None = None,
    limit: int = 500,
) -> list[ExportJob]:
    """Jobs nobody runs that must not run again: they only wait to be ended."""
    query = select(export_job).where(unheld(now), spent(now, limits))
    if export_id is not None:
        query = query.where(export_job.c.id == export_id)
    rows = connection.execute(query.order_by(export_job.c.created_at).limit(limit))
    return [ExportJob.from_row(r) for r in rows]


def end_unheld(
    connection: Connection,
    export_id: str,
    *,
    now: datetime,
    limits: RunLimits,
    values: Mapping[str, Any],
) -> bool:
    """End a spent job, unless a worker took it or it ended meanwhile."""
    result = connection.execute(
        update(export_job)
        .where(export_job.c.id == export_id, unheld(now), spent(now, limits))
        .values(**values)
    )
    return result.rowcount == 1


def runs_ended_by_a_stop(connection: Connection, export_id: str) -> int:
    """Attempts that started and never reached an outcome: the worker stopped during them."""
    rows = connection.execute(
        select(export_event.c.event, func.count())
        .where(
            export_event.c.export_id == export_id,
            export_event.c.event.in_((AuditEvent.STARTED, AuditEvent.RETRIED)),
        )
        .group_by(export_event.c.event)
    )
    counts = {str(event): int(count) for event, count in rows}
    return int(counts.get(AuditEvent.STARTED, 0)) - int(counts.get(AuditEvent.RETRIED, 0))


def count_unfinished(connection: Connection, *, now: datetime) -> tuple[int, int]:
    """(waiting: pending; running: processing under a live lease), across every firm."""
    waiting, running = connection.execute(
        select(
            func.count().filter(export_job.c.status == JobStatus.PENDING),
            func.count().filter(
                export_job.c.status == JobStatus.PROCESSING, export_job.c.lease_expires_at >= now
            ),
        ).where(export_job.c.status.in_((JobStatus.PENDING, JobStatus.PROCESSING)))
    ).one()
    return int(waiting), int(running)


def due_for_expiry(connection: Connection, *, now: datetime, limit: int = 500) -> list[ExportJob]:
    rows = connection.execute(
        select(export_job)
        .where(export_job.c.status == JobStatus.COMPLETED, export_job.c.expires_at <= now)
        .limit(limit)
    )
    return [ExportJob.from_row(r) for r in rows]


def record_event(
    connection: Connection,
    job: ExportJob,
    event: AuditEvent,
    *,
    now: datetime,
    actor: str | None = None,
    client_address: str | None = None,
    user_agent: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    connection.execute(
        export_event.insert(),
        {
            "id": str(uuid.uuid4()),
            "tenant_id": job.tenant_id,
            "export_id": job.id,
            "event": event.value,
            "actor": actor,
            "client_address": client_address,
            "user_agent": (user_agent or "")[:300] or None,
            "details": dict(details or {}),
            "created_at": now,
        },
    )
    # Every audit event is a log line too, for the log pipeline that keeps the firm's records.
    audit_log.info(
        f"audit.{event.value}",
        export_id=job.id,
        tenant_id=job.tenant_id,
        actor=actor,
        client_address=client_address,
        details=dict(details or {}),
    )


def list_events(connection: Connection, *, tenant_id: str, export_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(export_event)
        .where(export_event.c.tenant_id == tenant_id, export_event.c.export_id == export_id)
        .order_by(export_event.c.created_at, export_event.c.id)
    )
    return [dict(r._mapping) for r in rows]
