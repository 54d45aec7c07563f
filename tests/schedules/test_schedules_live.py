"""Schedules over real HTTP: the contract (201, 400 naming the field, 403, 404 across firms,
pause, run now, delete, scheduleId on exports), and a schedule fired for real by the upkeep of
two API processes and two workers at once, which makes exactly one export per due time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smarter_export.domain.database import make_engine
from smarter_export.jobs.tables import export_job
from smarter_export.schedules.tables import schedule_run
from tests.live import CLI, LiveFactory, LiveService, wait_ready
from tests.servers.ports import free_port
from tests.servers.postgres import PostgresServer
from tests.servers.stack import ScaledStack

SCHEDULES = "/api/v1/export/schedules"
EVERY_MINUTE = {
    "name": "Time this month",
    "format": "csv",
    "dataSource": "time_entries",
    "cron": "* * * * *",
    "timezone": "Europe/Berlin",
    "period": "monthToDate",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def cluster(
    request: pytest.FixtureRequest, live: LiveFactory, tmp_path: Path
) -> Iterator[LiveService]:
    """Two API processes with their in-process workers, and two worker processes: four sweeps."""
    scaled: ScaledStack | None = None
    env = {"SMARTER_EXPORT_SCHEDULE_MIN_INTERVAL_SECONDS": "60"}
    if request.param == "sqlite":
        running = live("schedules", **env)
    else:
        stack: ScaledStack = request.getfixturevalue("scaled_stack")
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        scaled = ScaledStack(postgres, stack.template, stack.redis_program, stack.s3)
        running = live("schedules-pg", **env, **scaled.parts().env)
    running.start_api()
    second = free_port()
    process = running._spawn([*CLI, "serve", "--port", str(second)], "api-2")
    assert wait_ready(f"http://127.0.0.1:{second}", process), running.logs()
    running.start_worker()
    running.start_worker()
    yield running
    running.stop_all()
    if scaled is not None:
        scaled.close()


def test_a_schedule_fires_for_real_once_per_due_time(cluster: LiveService) -> None:
    owner = cluster.client(cluster.token(user="partner"))
    created = owner.post(SCHEDULES, json=EVERY_MINUTE)
    assert created.status_code == 201, created.text
    schedule = created.json()["data"]
    assert created.headers["Location"] == f"{SCHEDULES}/{schedule['scheduleId']}"
    assert schedule["nextRunAt"] is not None and schedule["lastRun"] is None

    # The contract, while the first minute comes round.
    bad = owner.post(SCHEDULES, json={**EVERY_MINUTE, "cron": "61 * * * *"})
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["cron"]
    plain = cluster.client(cluster.token(user="associate", role="user"))
    assert plain.post(SCHEDULES, json=EVERY_MINUTE).status_code == 403
    assert plain.get(f"{SCHEDULES}/{schedule['scheduleId']}").status_code == 404
    stranger = cluster.client(cluster.token(tenant="firm-2", user="partner"))
    assert stranger.get(f"{SCHEDULES}/{schedule['scheduleId']}").status_code == 404
    assert stranger.post(f"{SCHEDULES}/{schedule['scheduleId']}/run").status_code == 404
    assert stranger.get(SCHEDULES).json()["data"] == []

    ran = owner.post(f"{SCHEDULES}/{schedule['scheduleId']}/run")
    assert ran.status_code == 202, ran.text
    manual = ran.json()["data"]["export"]
    assert manual["scheduleId"] == schedule["scheduleId"]
    assert {"dateFrom", "dateTo"} <= set(manual["parameters"])

    # Fired by the upkeep at the next minute: one export, listed and finished like any other.
    deadline = time.monotonic() + 90
    fired = None
    while time.monotonic() < deadline:
        last = owner.get(f"{SCHEDULES}/{schedule['scheduleId']}").json()["data"]["lastRun"]
        if last and last["exportId"] and last["exportId"] != manual["exportId"]:
            fired = last["exportId"]
            break
        time.sleep(0.5)
    assert fired is not None, cluster.logs()
    done = cluster.wait_for(owner, fired, ["completed"])
    assert done["scheduleId"] == schedule["scheduleId"]
    listed = owner.get("/api/v1/export", params={"pageSize": 100}).json()["data"]["exports"]
    assert {e["exportId"]: e["scheduleId"] for e in listed}[fired] == schedule["scheduleId"]

    paused = owner.patch(f"{SCHEDULES}/{schedule['scheduleId']}", json={"active": False})
    assert paused.status_code == 200 and paused.json()["data"]["nextRunAt"] is None
    time.sleep(3)  # every process sweeps a few more times: still one export per due time
    engine = make_engine(cluster.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            exports = connection.execute(
                select(func.count())
                .select_from(export_job)
                .where(export_job.c.schedule_id == schedule["scheduleId"])
            ).scalar_one()
            runs = connection.execute(
                select(func.count(), func.count(func.distinct(schedule_run.c.due_at))).where(
                    schedule_run.c.schedule_id == schedule["scheduleId"],
                    schedule_run.c.outcome == "created",
                )
            ).one()
    finally:
        engine.dispose()
    assert runs[0] == runs[1] == exports >= 2  # the manual run and at least one due time

    events = owner.get(f"{SCHEDULES}/{schedule['scheduleId']}/events").json()["data"]
    assert [e["event"] for e in events][:2] == ["created", "run"]
    assert events[-1]["event"] == "updated"
    assert owner.delete(f"{SCHEDULES}/{schedule['scheduleId']}").status_code == 204
    assert owner.get(f"{SCHEDULES}/{schedule['scheduleId']}").status_code == 404
