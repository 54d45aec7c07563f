"""`smarter-export schedules list` and `run` as an operator types them, in real processes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

from smarter_export.auth.principal import Principal
from smarter_export.domain.database import make_engine
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs import grants, store
from smarter_export.jobs.queue import ExportQueue
from smarter_export.jobs.service import Caller
from smarter_export.schedules.service import ScheduleService
from tests.live import CLI, LiveFactory


def test_an_operator_lists_and_runs_a_schedule(live: LiveFactory) -> None:
    service = live("schedules-cli")
    settings = service.settings
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.begin() as connection:
            firm = find_firm(connection, "demo")
            owner = Principal("partner", firm.id, "admin", frozenset({"export:*"}))
            grants.observe(connection, owner, now=datetime.now(UTC))
        schedule = ScheduleService(settings, engine, ExportQueue(settings)).create(
            Caller(owner),
            {
                "name": "Weekly matters",
                "format": "csv",
                "dataSource": "matters",
                "cron": "0 6 * * 1",
            },
        )

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*CLI, "schedules", *args, "--tenant", "demo"],
                env=service.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

        listed = cli("list")
        assert listed.returncode == 0, listed.stderr
        assert schedule.id in listed.stdout and "Weekly matters" in listed.stdout
        assert "last never" in listed.stdout

        ran = cli("run", "Weekly matters")
        assert ran.returncode == 0, ran.stderr
        export_id = ran.stdout.strip()
        with engine.connect() as connection:
            job = store.get_job(connection, export_id)
        assert job is not None and job.schedule_id == schedule.id and job.source == "matters"
        assert "last created" in cli("list").stdout

        unknown = cli("run", "Daily nothing")
        assert unknown.returncode == 2
        assert "no schedule with the id or name 'Daily nothing'" in unknown.stderr
    finally:
        engine.dispose()
