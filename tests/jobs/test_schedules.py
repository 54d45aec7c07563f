"""Schedules at the service level, time injected: due-ness, one export per due time, the owner's
newest grants, validation naming the field, tenancy, and two sweeps racing on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import NotFound, ValidationFailed
from smarter_export.jobs import grants
from smarter_export.jobs.periods import period_dates
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.service import Caller
from smarter_export.jobs.tables import export_job
from smarter_export.schedules.runs import fire_due
from smarter_export.schedules.service import ScheduleService
from smarter_export.schedules.tables import schedule_run
from smarter_export.settings import Settings
from tests.jobs.world import World

MONTHLY = {
    "name": "Monthly time",
    "format": "csv",
    "dataSource": "time_entries",
    "cron": "0 7 1 * *",
    "timezone": "America/New_York",
    "period": "previousMonth",
}


def schedules(world: World) -> ScheduleService:
    world.runtime.service.observe(world.caller.principal)  # the owner's grants, as a call makes
    return world.runtime.schedules


def sweep(world: World, now: datetime) -> list[str]:
    outcomes = fire_due(
        world.settings,
        world.runtime.engine,
        lambda export_id, delay: world.enqueued.append((export_id, delay)),
        now=now,
    )
    return [o.export_id for o in outcomes if o.export_id]


def test_periods_are_whole_days_in_the_zone() -> None:
    # 03:00 UTC on 1 Dec is still 30 Nov in New York: its previous month is October.
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert period_dates("previousMonth", at=at, zone="America/New_York") == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert period_dates("previousMonth", at=at, zone="UTC") == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert period_dates("previousQuarter", at=at, zone="UTC") == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert period_dates("previousWeek", at=at, zone="UTC") == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert period_dates("last7Days", at=at, zone="UTC") == (date(2026, 11, 24), date(2026, 11, 30))
    assert period_dates("yearToDate", at=at, zone="UTC") == (date(2026, 1, 1), date(2026, 12, 1))


def test_a_due_schedule_fires_once_with_its_period_frozen(world: World) -> None:
    schedule = schedules(world).create(world.caller, MONTHLY)
    assert schedule.next_run_at is not None
    local = schedule.next_run_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert (local.day, local.hour, local.minute) == (1, 7, 0)
    assert sweep(world, schedule.next_run_at - timedelta(seconds=1)) == []  # not due yet
    due = schedule.next_run_at + timedelta(seconds=5)
    [export_id] = sweep(world, due)
    assert sweep(world, due) == []  # the same due time again: nothing
    job = world.job(export_id)
    assert job.schedule_id == schedule.id
    first, last = period_dates("previousMonth", at=schedule.next_run_at, zone="America/New_York")
    assert (job.parameters["dateFrom"], job.parameters["dateTo"]) == (
        first.isoformat(),
        last.isoformat(),
    )
    assert world.redelivered(export_id)
    after = world.runtime.schedules.get(world.caller.principal, schedule.id)
    assert after.next_run_at is not None and after.next_run_at > due


def test_a_service_down_across_due_times_runs_only_the_latest(world: World) -> None:
    body = {**MONTHLY, "cron": "0 7 * * *", "name": "Daily"}
    schedule = schedules(world).create(world.caller, body)
    assert schedule.next_run_at is not None
    back = schedule.next_run_at + timedelta(days=3, hours=1)  # four due times missed
    [export_id] = sweep(world, back)
    with world.runtime.engine.connect() as connection:
        [due_at] = connection.execute(
            select(schedule_run.c.due_at).where(schedule_run.c.schedule_id == schedule.id)
        ).scalars()
    assert due_at == schedule.next_run_at + timedelta(days=3)
    assert world.job(export_id).schedule_id == schedule.id


def test_a_run_whose_owner_lost_the_permission_is_skipped_and_recorded(world: World) -> None:
    service = schedules(world)
    schedule = service.create(world.caller, MONTHLY)
    principal = world.caller.principal
    demoted = Principal(
        principal.user_id, principal.tenant_id, "user", frozenset({"export:*"}), issued_at=10
    )
    with world.runtime.engine.begin() as connection:
        grants.observe(connection, demoted, now=datetime.now(UTC))
    assert schedule.next_run_at is not None
    assert sweep(world, schedule.next_run_at) == []
    last = service.last_run(schedule)
    assert last is not None and last.outcome == "skipped" and "export:schedule" in str(last.reason)
    events = [e["event"] for e in service.events(principal, schedule.id)]
    assert events == ["created", "run_skipped"]
    with world.runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(export_job)).scalar() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron": "every day"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "*/5 * * * *"}, "cron"),  # more often than the 15-minute minimum
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"period": "lastFortnight"}, "period"),
        ({"dataSource": "timekeepers"}, "period"),  # no date filters to set
        ({"clientId": "not-an-id"}, "clientId"),
        ({"name": ""}, "name"),
        ({"notify": {"emails": "a@b"}}, "notify.emails"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field(
    world: World, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        schedules(world).create(world.caller, {**MONTHLY, **change})
    assert [p.field for p in refused.value.problems] == [field]


def test_another_firms_schedule_is_not_found(world: World) -> None:
    schedule = schedules(world).create(world.caller, MONTHLY)
    with world.runtime.engine.connect() as connection:
        other = find_firm(connection, "firm-2")
    stranger = Principal("ops", other.id, "admin", frozenset({"export:*"}))
    with pytest.raises(NotFound):
        world.runtime.schedules.get(stranger, schedule.id)
    colleague = Principal("someone", schedule.tenant_id, "user", frozenset())
    with pytest.raises(NotFound):  # neither owner nor admin
        world.runtime.schedules.get(colleague, schedule.id)
    assert world.runtime.schedules.list_schedules(stranger) == []


def test_a_one_off_export_takes_a_period_and_freezes_it(world: World) -> None:
    export_id = world.create({"dataSource": "invoices", "period": "last30Days"})
    job = world.job(export_id)
    with world.runtime.engine.connect() as connection:
        zone = find_firm(connection, job.tenant_id).timezone  # the firm's days, not UTC's
    first, last = period_dates("last30Days", at=job.created_at, zone=zone)
    params = world.job(export_id).parameters
    assert params["dateTo"] == last.isoformat() and params["dateFrom"] == first.isoformat()


def test_two_sweeps_racing_make_one_export(demo_engine: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="development")
    service = ScheduleService(settings, demo_engine, ExportQueue(settings))
    with demo_engine.begin() as connection:
        firm = find_firm(connection, "demo")
        owner = Principal("ops", firm.id, "admin", frozenset({"export:*"}))
        grants.observe(connection, owner, now=datetime.now(UTC))
    schedule = service.create(Caller(owner), {**MONTHLY, "cron": "0 7 * * *"})
    assert schedule.next_run_at is not None
    now = schedule.next_run_at + timedelta(seconds=1)
    start = threading.Barrier(4)
    made: list[str] = []

    def race() -> None:
        start.wait()
        outcomes = fire_due(settings, demo_engine, lambda export_id, delay: None, now=now)
        made.extend(o.export_id for o in outcomes if o.export_id)

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    with demo_engine.connect() as connection:
        count = connection.execute(
            select(func.count())
            .select_from(export_job)
            .where(export_job.c.schedule_id == schedule.id)
        ).scalar()
    assert count == 1


def test_a_schedules_recipients_are_checked_once_and_carried_to_each_run(world: World) -> None:
    caller = Caller(replace(world.caller.principal, email="partner@demo-law.example"))
    world.runtime.service.observe(caller.principal)
    with pytest.raises(ValidationFailed) as refused:
        world.runtime.schedules.create(
            caller, {**MONTHLY, "notify": {"emails": ["x@other.example"]}}
        )
    assert [p.field for p in refused.value.problems] == ["notify.emails"]
    notify = {"emails": ["partner@demo-law.example"]}
    schedule = world.runtime.schedules.create(caller, {**MONTHLY, "notify": notify})
    assert schedule.next_run_at is not None
    [export_id] = sweep(world, schedule.next_run_at)
    assert world.job(export_id).notify == notify
