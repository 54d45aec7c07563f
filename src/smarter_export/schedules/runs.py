"""Firing schedules: one export per schedule and due time, made with the owner's newest grants.

The sweep runs in the periodic upkeep of every API and worker process. Each due time is claimed
by inserting its `schedule_run` row in the very transaction that inserts its export: whichever
process commits first made the export, every other one fails on the primary key and moves on.
A schedule whose due times passed while the service was down fires once, for the latest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import ExportError
from smarter_export.firm_settings import store as firm_settings_store
from smarter_export.jobs import grants
from smarter_export.jobs import store as job_store
from smarter_export.jobs.prepare import prepare_export
from smarter_export.jobs.records import AuditEvent
from smarter_export.log import get_logger
from smarter_export.mail.outbox import queue_mail
from smarter_export.schedules import store
from smarter_export.schedules.cron import latest_due, next_after
from smarter_export.schedules.store import Schedule
from smarter_export.settings import Settings

log = get_logger("smarter_export.schedules")

CREATED = "created"
SKIPPED = "skipped"


@dataclass(frozen=True)
class RunOutcome:
    due_at: datetime
    export_id: str | None  # None: skipped, see reason
    reason: str | None = None


def fire_due(
    settings: Settings, engine: Engine, enqueue: Callable[[str, float], None], *, now: datetime
) -> list[RunOutcome]:
    """Fire every schedule due at `now` (once each); enqueue the exports made."""
    with engine.connect() as connection:
        schedules = store.due(connection, now)
    outcomes: list[RunOutcome] = []
    for schedule in schedules:
        due_at = latest_due(schedule.cron, schedule.timezone, now)
        try:
            with engine.begin() as connection:
                outcome = run_once(settings, connection, schedule, due_at=due_at, now=now)
                store.change(
                    connection,
                    schedule.id,
                    {"next_run_at": next_after(schedule.cron, schedule.timezone, now)},
                )
        except IntegrityError:  # another process claimed this due time first
            continue
        if outcome.export_id is not None:
            enqueue(outcome.export_id, 0.0)
        outcomes.append(outcome)
    return outcomes


def run_once(
    settings: Settings,
    connection: Connection,
    schedule: Schedule,
    *,
    due_at: datetime,
    now: datetime,
    actor: str = "system",
) -> RunOutcome:
    """Claim `due_at` and make its export, or record why it was skipped and tell the owner by
    e-mail when their address is known (the export is not enqueued yet)."""
    owner = grants.latest(connection, tenant_id=schedule.tenant_id, user_id=schedule.user_id)
    firm_settings = firm_settings_store.load(connection, schedule.tenant_id)
    reason: str | None = None
    if owner is None or not owner.may_schedule:
        reason = "the owner no longer holds the export:schedule permission"
    elif not owner.may_export(str(schedule.request.get("dataSource"))):
        reason = f"the owner may no longer export {schedule.request.get('dataSource')}"
    prepared = None
    if owner is not None and reason is None:
        try:
            prepared = prepare_export(
                settings,
                firm=find_firm(connection, schedule.tenant_id),
                principal=owner,
                format_name=schedule.format,
                body=schedule.export_body(),
                now=due_at,
                firm_settings=firm_settings,
            )
        except ExportError as error:  # the request no longer holds (a source withdrawn)
            reason = str(error)
    if prepared is None:
        _skip(
            settings,
            connection,
            schedule,
            owner,
            due_at=due_at,
            now=now,
            actor=actor,
            reason=reason or "the export could not be prepared",
        )
        return RunOutcome(due_at, None, reason)
    # The recipients were checked when the schedule was made or changed; the firm's domains may
    # have narrowed since, and an address outside them is dropped (and said so), not mailed.
    # With no domains known now (no firm list, the owner's address not on record, as for
    # schedules older than the record), the check at making stands.
    domains = firm_settings.mail_domains(owner.email if owner else None)
    recipients = list((schedule.notify or {}).get("emails") or [])
    kept = [a for a in recipients if not domains or a.rsplit("@", 1)[1].lower() in domains]
    export_id = str(uuid.uuid4())
    # The claim goes first: a racing process blocks here, then fails, before making anything.
    store.record_run(connection, schedule, due_at=due_at, outcome=CREATED, now=now)
    job_store.insert_job(
        connection,
        prepared.job_row(
            export_id=export_id,
            tenant_id=schedule.tenant_id,
            user_id=schedule.user_id,
            now=now,
            schedule_id=schedule.id,
        )
        | {"notify": {"emails": kept} if kept else None},
    )
    store.set_run_export(connection, schedule.id, due_at, export_id)
    job = job_store.get_job(connection, export_id)
    assert job is not None
    job_store.record_event(
        connection,
        job,
        AuditEvent.CREATED,
        now=now,
        actor=actor,
        details={"source": prepared.source, "format": prepared.format, "scheduleId": schedule.id},
    )
    dropped = sorted(set(recipients) - set(kept))
    store.record_event(
        connection,
        schedule,
        "run",
        now=now,
        actor=actor,
        details={"exportId": export_id, **({"recipientsDropped": dropped} if dropped else {})},
    )
    log.info("schedule.fired", schedule_id=schedule.id, export_id=export_id)
    return RunOutcome(due_at, export_id)


def _skip(
    settings: Settings,
    connection: Connection,
    schedule: Schedule,
    owner: Principal | None,
    *,
    due_at: datetime,
    now: datetime,
    actor: str,
    reason: str,
) -> None:
    """Record the skipped due time and, where mail can go, put the owner's notice in the outbox
    (in this transaction: the due time's claim makes it one notice, whatever the processes)."""
    told = owner.email if owner is not None and settings.smtp_url else None
    store.record_run(connection, schedule, due_at=due_at, outcome=SKIPPED, now=now, reason=reason)
    if told is not None:
        queue_mail(
            connection,
            tenant_id=schedule.tenant_id,
            recipients=[told],
            now=now,
            schedule_id=schedule.id,
            due_at=due_at,
        )
    store.record_event(
        connection,
        schedule,
        "run_skipped",
        now=now,
        actor=actor,
        details={"reason": reason, "ownerTold": told},
    )
    log.warning("schedule.skipped", schedule_id=schedule.id, reason=reason, owner_told=bool(told))
