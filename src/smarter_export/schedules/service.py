"""The schedule service: create, read, change, delete and run a firm's scheduled exports.

A schedule is seen by its owner and the firm's admins; for anyone else, and for another firm,
its id is as missing as none. Its request is checked at creation exactly as an export's is.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import Forbidden, NotFound, ValidationFailed
from smarter_export.firm_settings import store as firm_settings_store
from smarter_export.jobs import grants
from smarter_export.jobs.prepare import prepare_export, valid_period, valid_timezone
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.service import Caller
from smarter_export.log import get_logger
from smarter_export.mail.recipients import valid_notify
from smarter_export.schedules import store
from smarter_export.schedules.cron import next_after, valid_cron
from smarter_export.schedules.runs import RunOutcome, run_once
from smarter_export.schedules.store import LastRun, Schedule
from smarter_export.settings import Settings

log = get_logger("smarter_export.schedules")

# The keys of a schedule's body that are the schedule's own; the rest is the export request.
SCHEDULE_KEYS = ("name", "format", "cron", "timezone", "period", "notify", "active")
MAX_NAME = 200


class ScheduleService:
    def __init__(self, settings: Settings, engine: Engine, queue: ExportQueue) -> None:
        self.settings = settings
        self.engine = engine
        self.queue = queue

    def create(self, caller: Caller, body: Mapping[str, Any]) -> Schedule:
        principal = caller.principal
        if not principal.may_schedule:
            raise Forbidden("Scheduling exports needs the export:schedule permission.")
        now = utcnow()
        values = self._checked(principal, {"active": True, **body}, now)
        schedule_id = str(uuid.uuid4())
        with self.engine.begin() as connection:
            store.insert(
                connection,
                {
                    "id": schedule_id,
                    "tenant_id": principal.tenant_id,
                    "user_id": principal.user_id,
                    **values,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            schedule = store.get(connection, schedule_id, principal.tenant_id)
            assert schedule is not None
            store.record_event(
                connection,
                schedule,
                "created",
                now=now,
                actor=principal.user_id,
                details=body_of(schedule),
            )
        log.info("schedule.created", schedule_id=schedule_id, tenant_id=principal.tenant_id)
        return schedule

    def get(self, principal: Principal, schedule_id: str) -> Schedule:
        try:
            uuid.UUID(schedule_id)
        except ValueError:
            raise NotFound("No schedule has this id.") from None
        with self.engine.connect() as connection:
            schedule = store.get(connection, schedule_id, principal.tenant_id)
        if schedule is None or not (principal.is_admin or schedule.user_id == principal.user_id):
            raise NotFound("No schedule has this id.")
        return schedule

    def list_schedules(self, principal: Principal) -> list[Schedule]:
        with self.engine.connect() as connection:
            return store.list_for(
                connection, principal.tenant_id, None if principal.is_admin else principal.user_id
            )

    def last_run(self, schedule: Schedule) -> LastRun | None:
        with self.engine.connect() as connection:
            return store.last_run(connection, schedule.id)

    def events(self, principal: Principal, schedule_id: str) -> list[dict[str, Any]]:
        schedule = self.get(principal, schedule_id)
        with self.engine.connect() as connection:
            return store.list_events(connection, schedule)

    def update(self, caller: Caller, schedule_id: str, patch: Mapping[str, Any]) -> Schedule:
        """Merge `patch` into the schedule's body and check the whole again, as at creation."""
        schedule = self.get(caller.principal, schedule_id)
        now = utcnow()
        merged = {**body_of(schedule), **patch}
        owner = self._owner_view(caller.principal, schedule)
        values = self._checked(owner, merged, now)
        with self.engine.begin() as connection:
            store.change(connection, schedule.id, {**values, "updated_at": now})
            store.record_event(
                connection,
                schedule,
                "updated",
                now=now,
                actor=caller.principal.user_id,
                details=dict(patch),
            )
        return self.get(caller.principal, schedule_id)

    def delete(self, caller: Caller, schedule_id: str) -> None:
        schedule = self.get(caller.principal, schedule_id)
        now = utcnow()
        with self.engine.begin() as connection:
            store.change(
                connection,
                schedule.id,
                {"deleted_at": now, "active": False, "next_run_at": None, "updated_at": now},
            )
            store.record_event(
                connection, schedule, "deleted", now=now, actor=caller.principal.user_id
            )

    def run_now(self, caller: Caller, schedule_id: str) -> RunOutcome:
        """An export now, as the owner's newest grants allow; refused (and recorded) if not."""
        schedule = self.get(caller.principal, schedule_id)
        now = utcnow()
        with self.engine.begin() as connection:
            outcome = run_once(
                self.settings,
                connection,
                schedule,
                due_at=now,
                now=now,
                actor=caller.principal.user_id,
            )
        if outcome.export_id is None:
            raise Forbidden(f"This schedule cannot run: {outcome.reason}.")
        try:
            self.queue.enqueue(outcome.export_id)
        except Exception as error:  # the reaper delivers it later
            log.error("export.enqueue_failed", export_id=outcome.export_id, error=repr(error))
        return outcome

    # -- checking ------------------------------------------------------------------------------

    def _owner_view(self, caller: Principal, schedule: Schedule) -> Principal:
        """Whose grants a change is checked with: the caller's if they own it, else the owner's
        (an admin editing another's schedule must not widen what it exports)."""
        if schedule.user_id == caller.user_id:
            return caller
        with self.engine.connect() as connection:
            owner = grants.latest(
                connection, tenant_id=schedule.tenant_id, user_id=schedule.user_id
            )
        return owner or caller

    def _checked(
        self, principal: Principal, body: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """The schedule's columns from a body, every field checked; 400 naming the first bad."""
        name = body.get("name")
        if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME:
            raise ValidationFailed.one("name", f"give a name of 1 to {MAX_NAME} characters")
        format_name = body.get("format")
        if not isinstance(format_name, str) or not format_name:
            raise ValidationFailed.one("format", "required: one of the formats GET /formats lists")
        active = body.get("active", True)
        if not isinstance(active, bool):
            raise ValidationFailed.one("active", "give true or false")
        with self.engine.connect() as connection:
            firm = find_firm(connection, principal.tenant_id)
            firm_settings = firm_settings_store.load(connection, principal.tenant_id)
        zone = valid_timezone(body.get("timezone")) or firm.timezone
        cron = valid_cron(
            body.get("cron"),
            zone,
            min_interval_seconds=self.settings.schedule_min_interval_seconds,
            now=now,
        )
        period = None if body.get("period") is None else valid_period(body.get("period"))
        notify = valid_notify(body.get("notify"), firm_settings.mail_domains(principal.email))
        request = {key: value for key, value in body.items() if key not in SCHEDULE_KEYS}
        # The request as a run would make it now: filters, columns, period and permission.
        prepare_export(
            self.settings,
            firm=firm,
            principal=principal,
            format_name=format_name,
            body={**request, "timezone": zone, **({"period": period} if period else {})},
            now=now,
            firm_settings=firm_settings,
        )
        return {
            "name": name.strip(),
            "format": format_name,
            "request": request,
            "cron": cron,
            "timezone": zone,
            "period": period,
            "notify": notify,
            "active": active,
            "next_run_at": next_after(cron, zone, now) if active else None,
        }


def body_of(schedule: Schedule) -> dict[str, Any]:
    """The schedule as a body would give it (what PATCH merges into)."""
    return {
        **schedule.request,
        "name": schedule.name,
        "format": schedule.format,
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "period": schedule.period,
        "notify": schedule.notify,
        "active": schedule.active,
    }
