"""A scaled-out service for the load test: two API processes and three workers on PostgreSQL,
Redis and S3 (behind a proxy that can make it refuse), with the handles to inject faults."""

from __future__ import annotations

import hashlib
import os
import signal
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from smarter_export.domain.database import make_engine
from smarter_export.jobs.tables import export_event, export_job
from tests.live import CLI, LiveFactory, LiveService, wait_ready
from tests.servers.ports import free_port
from tests.servers.postgres import PostgresServer
from tests.servers.proxy import FlakyProxy
from tests.servers.s3 import S3Server
from tests.servers.stack import ScaledParts, ScaledStack


@dataclass
class Cluster:
    service: LiveService
    parts: ScaledParts
    postgres: PostgresServer
    s3_proxy: FlakyProxy
    engine: Engine
    api_ports: list[int] = field(default_factory=list)
    workers: dict[int, Any] = field(default_factory=dict)  # pid -> Popen
    apis: dict[int, Any] = field(default_factory=dict)  # index -> Popen
    faults: dict[str, int] = field(default_factory=dict)

    def start(self, *, apis: int, workers: int) -> None:
        for _ in range(workers):
            self.start_worker()
        for index in range(apis):
            self.api_ports.append(self.service.port if index == 0 else free_port())
            self.start_api(index)

    def start_api(self, index: int) -> None:
        port = self.api_ports[index]
        process = self.service._spawn(
            [*CLI, "serve", "--no-worker", "--port", str(port)], f"api-{index}"
        )
        if not wait_ready(f"http://127.0.0.1:{port}", process, timeout=60):
            raise RuntimeError(f"API {index} did not start: {self.service.logs()}")
        self.apis[index] = process

    def kill_api(self, index: int) -> None:
        """SIGKILL an API process (mid-request, perhaps); start it again on its port."""
        process = self.apis.pop(index)
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.fault("API SIGKILL")
        self.start_api(index)

    def kill_worker(self, pid: int, fault: str) -> bool:
        """SIGKILL one of our workers and start another in its place."""
        process = self.workers.pop(pid, None)
        if process is None:
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.fault(fault)
        self.start_worker()
        return True

    def start_worker(self) -> None:
        process = self.service.start_worker()
        self.workers[process.pid] = process

    def api_client(self, index: int, token: str) -> httpx.Client:
        port = self.api_ports[index % len(self.api_ports)]
        return httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    def fault(self, name: str) -> None:
        self.faults[name] = self.faults.get(name, 0) + 1

    # -- what the database says ----------------------------------------------------------------

    def jobs(self, ids: Sequence[str]) -> dict[str, Any]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(export_job).where(export_job.c.id.in_(ids))).all()
        return {row.id: row for row in rows}

    def event_counts(self, event: str) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(export_event.c.export_id, func.count())
                .where(export_event.c.event == event)
                .group_by(export_event.c.export_id)
            ).all()
        return {export_id: int(count) for export_id, count in rows}

    def first_events(self, event: str) -> dict[str, datetime]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(export_event.c.export_id, func.min(export_event.c.created_at))
                .where(export_event.c.event == event)
                .group_by(export_event.c.export_id)
            ).all()
        return {export_id: _utc(at) for export_id, at in rows}

    def running(self, *, min_rows: int, source: str | None = "time_entries") -> list[Any]:
        """Exports running with at least `min_rows` written, of `source` (None: any)."""
        query = select(export_job).where(
            export_job.c.status == "processing", export_job.c.rows_processed >= min_rows
        )
        if source is not None:
            query = query.where(export_job.c.source == source)
        with self.engine.connect() as connection:
            return list(connection.execute(query).all())

    # -- faults --------------------------------------------------------------------------------

    def kill_a_worker_mid_export(self, timeout: float = 60) -> str:
        """SIGKILL the worker that holds a large running export; start one in its place."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for job in self.running(min_rows=1_000):
                pid = int(str(job.lease_owner).split(":")[1])
                if pid in self.workers:
                    os.kill(pid, signal.SIGKILL)
                    self.workers.pop(pid).wait()
                    self.fault("worker SIGKILL mid-export")
                    self.start_worker()
                    return str(job.id)
            time.sleep(0.05)
        raise AssertionError("no large export was running to kill its worker")

    def drop_database_connections_mid_stream(self, timeout: float = 60) -> int:
        """Cut the PostgreSQL connections that are fetching rows from a cursor."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running(min_rows=1_000):
                cut = self.postgres.terminate_backends(self.parts.database, running="FETCH%")
                if cut:
                    self.fault("PostgreSQL connection dropped mid-stream")
                    return cut
            time.sleep(0.05)
        raise AssertionError("no export was streaming rows to cut its connection")

    def restart_redis(self) -> int:
        """Redis goes down with every queued delivery (nothing is persisted) and comes back;
        how many exports were waiting for a delivery at that moment."""
        with self.engine.connect() as connection:
            waiting = connection.execute(
                select(func.count()).where(export_job.c.status == "pending")
            ).scalar_one()
        self.parts.redis.restart()
        self.fault("Redis restarted (queue emptied)")
        return int(waiting)

    def refuse_s3_writes(self, seconds: float) -> None:
        self.s3_proxy.refuse_for(seconds)
        self.fault("S3 refusing connections for a while")

    def commit_without_enqueue(self, tenant_id: str, source: str, format_name: str) -> str:
        """What an API process killed between its commit and its enqueue leaves behind."""
        now = datetime.now(UTC)
        export_id = str(uuid.uuid4())
        with self.engine.begin() as connection:
            connection.execute(
                export_job.insert(),
                {
                    "id": export_id,
                    "tenant_id": tenant_id,
                    "user_id": "killed-api",
                    "source": source,
                    "format": format_name,
                    "parameters": {},
                    "status": "pending",
                    "warnings": [],
                    "request_fingerprint": export_id,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        self.fault("API killed between commit and enqueue")
        return export_id

    def download_and_verify(
        self, firm_of: dict[str, str], tokens: dict[str, str], completed: Sequence[str]
    ) -> int:
        """Every file, through its signed link: our check, a 307, then S3; SHA-256 compared."""

        def verify(export_id: str) -> bool:
            with self.api_client(hash(export_id), tokens[firm_of[export_id]]) as client:
                data = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
                answer = httpx.get(data["downloadUrl"], timeout=60, follow_redirects=True)
            assert answer.status_code == 200, answer.text
            assert [hop.status_code for hop in answer.history] == [307]
            assert hashlib.sha256(answer.content).hexdigest() == data["file"]["sha256"]
            assert len(answer.content) == data["file"]["sizeBytes"]
            return True

        with ThreadPoolExecutor(max_workers=8) as pool:
            return sum(pool.map(verify, completed))

    def close(self) -> None:
        self.service.stop_all()
        self.s3_proxy.close()
        self.engine.dispose()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def open_cluster(
    scaled_stack: ScaledStack,
    template: str,
    postgres: PostgresServer,
    s3: S3Server,
    folder: Path,
    **env: str,
) -> Iterator[Cluster]:
    """Two APIs and three workers on their own PostgreSQL database (a copy of `template`), Redis
    and bucket, S3 reached through a proxy that can refuse; stopped at the end."""
    proxy = FlakyProxy(s3.port)
    proxy.start()
    scaled = ScaledStack(postgres, template, scaled_stack.redis_program, s3)
    parts = scaled.parts(s3_endpoint=proxy.endpoint)
    unused = folder / "unused.db"  # the processes use PostgreSQL, not a SQLite copy
    unused.touch()
    factory = LiveFactory(unused, folder)
    service = factory("cluster", **parts.env, **env)
    built = Cluster(service, parts, postgres, proxy, make_engine(postgres.url(parts.database)))
    try:
        built.start(apis=2, workers=3)
        yield built
    finally:
        built.close()
        factory.close()
        scaled.close()
