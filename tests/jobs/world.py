"""The export service and a worker in this process, on a real SQLite file of a small demo firm:
the service, the runner and the reaper at their own level, without HTTP or a queue consumer."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs import lifecycle, store
from smarter_export.jobs.maintenance import UpkeepReport, run_upkeep
from smarter_export.jobs.records import AuditEvent, ExportJob
from smarter_export.jobs.runner import ExportRunner
from smarter_export.jobs.service import Caller
from smarter_export.jobs.tables import export_event, export_job
from smarter_export.runtime import Runtime, build_runtime
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage
from tests.servers.smtp import Inbox


@dataclass
class World:
    runtime: Runtime
    caller: Caller
    enqueued: list[tuple[str, float]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def runner(self, worker: str = "w-1", storage: FileStorage | None = None) -> ExportRunner:
        return ExportRunner(
            settings=self.settings,
            engine=self.runtime.engine,
            storage=storage or self.runtime.storage,
            enqueue=lambda export_id, delay: self.enqueued.append((export_id, delay)),
            worker=worker,
            rng=random.Random(1),
        )

    def create(self, body: dict[str, Any] | None = None, key: str | None = None) -> str:
        body = body or {"dataSource": "timekeepers"}
        created = self.runtime.service.create_export(self.caller, "csv", body, key)
        return created.job.id

    def job(self, export_id: str) -> ExportJob:
        with self.runtime.engine.connect() as connection:
            job = store.get_job(connection, export_id)
        assert job is not None
        return job

    def events(self, export_id: str) -> list[str]:
        with self.runtime.engine.connect() as connection:
            return list(
                connection.execute(
                    select(export_event.c.event)
                    .where(export_event.c.export_id == export_id)
                    .order_by(export_event.c.created_at, export_event.c.id)
                ).scalars()
            )

    def die_holding(self, export_id: str, worker: str = "w-dead") -> None:
        """What a worker killed mid-export leaves: a claim and a start, then a lapsed lease."""
        now = utcnow()
        with self.runtime.engine.begin() as connection:
            taken = store.claim(
                connection,
                export_id,
                worker=worker,
                now=now,
                lease_until=now + timedelta(seconds=60),
                max_running_per_tenant=100,
                limits=lifecycle.run_limits(self.settings),
            )
            assert taken is store.Claim.TAKEN, taken
            store.record_event(
                connection, self.job(export_id), AuditEvent.STARTED, now=now, actor="system"
            )
        self.lapse(export_id)

    def lapse(self, export_id: str, **values: Any) -> None:
        self.set(export_id, lease_expires_at=utcnow() - timedelta(seconds=1), **values)

    def set(self, export_id: str, **values: Any) -> None:
        with self.runtime.engine.begin() as connection:
            connection.execute(
                update(export_job).where(export_job.c.id == export_id).values(**values)
            )

    def upkeep(self) -> UpkeepReport:
        return run_upkeep(
            self.settings,
            self.runtime.engine,
            self.runtime.storage,
            lambda export_id, delay: self.enqueued.append((export_id, delay)),
        )

    def redelivered(self, export_id: str) -> bool:
        return any(export_id == queued for queued, _ in self.enqueued)


def make_world(template: Path, folder: Path, **settings: Any) -> Iterator[World]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, folder / "smarter_export.db")
    runtime = build_runtime(
        Settings(data_dir=folder, environment="development", lease_seconds=30, **settings)
    )
    with runtime.engine.connect() as connection:
        firm = find_firm(connection, "demo")
    principal = Principal("ops", firm.id, "admin", frozenset({"export:*"}))
    try:
        yield World(runtime, Caller(principal))
    finally:
        runtime.engine.dispose()


@pytest.fixture
def world(small_firm_template: Path, tmp_path: Path) -> Iterator[World]:
    yield from make_world(small_firm_template, tmp_path / "world", max_attempts=2)


@pytest.fixture
def mailing(small_firm_template: Path, tmp_path: Path, smtp_server: Inbox) -> Iterator[World]:
    """A world that sends its e-mail to a real SMTP server, links pointing to the firm's host."""
    yield from make_world(
        small_firm_template,
        tmp_path / "mailing",
        smtp_url=smtp_server.url,
        public_base_url="https://exports.firm.example",
    )
