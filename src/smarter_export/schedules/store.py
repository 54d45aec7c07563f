"""Reading and writing schedules, their runs and their audit events. Callers own the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from smarter_export.jobs.tables import export_job
from smarter_export.schedules.tables import export_schedule, schedule_event, schedule_run


@dataclass(frozen=True)
class Schedule:
    id: str
    tenant_id: str
    user_id: str
    name: str
    format: str
    request: dict[str, Any]
    cron: str
    timezone: str
    period: str | None
    notify: dict[str, Any]
    active: bool
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def from_row(cls, row: Row[Any]) -> Schedule:
        return cls(**row._asdict())

    def export_body(self) -> dict[str, Any]:
        """The export request each run makes, its period judged in the schedule's zone."""
        body = {**self.request, "timezone": self.timezone}
        if self.period:
            body["period"] = self.period
        return body


@dataclass(frozen=True)
class LastRun:
    due_at: datetime
    outcome: str  # created, skipped
    export_id: str | None
    export_status: str | None
    reason: str | None


def get(connection: Connection, schedule_id: str, tenant_id: str) -> Schedule | None:
    row = connection.execute(
        select(export_schedule).where(
            export_schedule.c.id == schedule_id,
            export_schedule.c.tenant_id == tenant_id,
            export_schedule.c.deleted_at.is_(None),
        )
    ).first()
    return Schedule.from_row(row) if row else None


def list_for(connection: Connection, tenant_id: str, user_id: str | None) -> list[Schedule]:
    """The firm's schedules (one owner's if `user_id` is given), newest first."""
    query = select(export_schedule).where(
        export_schedule.c.tenant_id == tenant_id, export_schedule.c.deleted_at.is_(None)
    )
    if user_id is not None:
        query = query.where(export_schedule.c.user_id == user_id)
    rows = connection.execute(query.order_by(export_schedule.c.created_at.desc()))
    return [Schedule.from_row(row) for row in rows]


def due(connection: Connection, now: datetime) -> list[Schedule]:
    rows = connection.execute(
        select(export_schedule).where(
            export_schedule.c.active.is_(True),
            export_schedule.c.deleted_at.is_(None),
            export_schedule.c.next_run_at <= now,
        )
    )
    return [Schedule.from_row(row) for row in rows]


def insert(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(export_schedule.insert(), values)


def change(connection: Connection, schedule_id: str, values: dict[str, Any]) -> None:
    connection.execute(
        update(export_schedule).where(export_schedule.c.id == schedule_id).values(**values)
    )


def record_run(
    connection: Connection,
    schedule: Schedule,
    *,
    due_at: datetime,
    outcome: str,
    now: datetime,
    export_id: str | None = None,
    reason: str | None = None,
) -> None:
    """Claims the due time: a second claim of the same one fails on the primary key."""
    connection.execute(
        schedule_run.insert(),
        {
            "schedule_id": schedule.id,
            "due_at": due_at,
            "tenant_id": schedule.tenant_id,
            "outcome": outcome,
            "export_id": export_id,
            "reason": reason,
            "created_at": now,
        },
    )


def set_run_export(
    connection: Connection, schedule_id: str, due_at: datetime, export_id: str
) -> None:
    connection.execute(
        update(schedule_run)
        .where(schedule_run.c.schedule_id == schedule_id, schedule_run.c.due_at == due_at)
        .values(export_id=export_id)
    )


def run_at(connection: Connection, schedule_id: str, due_at: datetime) -> LastRun | None:
    """The schedule's run at one due time."""
    return _run(connection, schedule_id, schedule_run.c.due_at == due_at)


def last_run(connection: Connection, schedule_id: str) -> LastRun | None:
    return _run(connection, schedule_id, None)


def _run(connection: Connection, schedule_id: str, where: Any) -> LastRun | None:
    row = connection.execute(
        select(
            schedule_run.c.due_at,
            schedule_run.c.outcome,
            schedule_run.c.export_id,
            schedule_run.c.reason,
            export_job.c.status,
        )
        .select_from(
            schedule_run.outerjoin(export_job, export_job.c.id == schedule_run.c.export_id)
        )
        .where(schedule_run.c.schedule_id == schedule_id, *([] if where is None else [where]))
        .order_by(schedule_run.c.created_at.desc(), schedule_run.c.due_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return LastRun(row.due_at, row.outcome, row.export_id, row.status, row.reason)


def record_event(
    connection: Connection,
    schedule: Schedule,
    event: str,
    *,
    now: datetime,
    actor: str,
    details: dict[str, Any] | None = None,
) -> None:
    connection.execute(
        schedule_event.insert(),
        {
            "id": str(uuid.uuid4()),
            "tenant_id": schedule.tenant_id,
            "schedule_id": schedule.id,
            "event": event,
            "actor": actor,
            "details": details or {},
            "created_at": now,
        },
    )


def list_events(connection: Connection, schedule: Schedule) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            schedule_event.c.event,
            schedule_event.c.actor,
            schedule_event.c.details,
            schedule_event.c.created_at,
        )
        .where(
            schedule_event.c.tenant_id == schedule.tenant_id,
            schedule_event.c.schedule_id == schedule.id,
        )
        .order_by(schedule_event.c.created_at)
    )
    return [dict(row._mapping) for row in rows]
