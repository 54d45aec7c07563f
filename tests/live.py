"""The real service in real processes: `smarter-export serve` and `worker` over real HTTP.

Each test gets its own data folder holding a copy of one demo database made once per session,
its own port, and its own processes, stopped (killed if need be) when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from smarter_export.auth.secrets import resolve_secrets
from smarter_export.auth.tokens import mint_token
from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize, load_demo_data
from smarter_export.domain.schema import upgrade
from smarter_export.domain.tenants import Firm, find_firm
from smarter_export.settings import Settings
from tests.servers.ports import free_port

CLI = [sys.executable, "-m", "smarter_export"]


def wait_ready(base_url: str, process: subprocess.Popen[Any], timeout: float = 30.0) -> bool:
    """True once `/readyz` answers 200; False if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


@dataclass
class LiveService:
    data_dir: Path
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    api: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def settings(self) -> Settings:
        # The database the processes use: the SQLite copy, or the one the environment names.
        return Settings(
            data_dir=self.data_dir,
            environment="development",
            database_url=self.env.get("SMARTER_EXPORT_DATABASE_URL"),
        )

    def firm(self, subdomain: str = "demo") -> Firm:
        engine = make_engine(self.settings.resolved_database_url)
        try:
            with engine.connect() as connection:
                return find_firm(connection, subdomain)
        finally:
            engine.dispose()

    def token(
        self,
        *,
        tenant: str = "demo",
        user: str = "user-1",
        role: str = "admin",
        permissions: Sequence[str] = ("export:*",),
        ttl_seconds: int = 3600,
        now: datetime | None = None,
        email: str | None = None,
    ) -> str:
        return mint_token(
            self.settings,
            resolve_secrets(self.settings),
            tenant_id=self.firm(tenant).id,
            user_id=user,
            role=role,
            permissions=tuple(permissions),
            ttl_seconds=ttl_seconds,
            now=now,
            email=email,
        )

    def client(self, token: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]

    def start_api(self, *, worker: bool = True) -> subprocess.Popen[bytes]:
        args = [*CLI, "serve", "--port", str(self.port)]
        if not worker:
            args.append("--no-worker")
        self.api = self._spawn(args, "api")
        self._wait_ready()
        return self.api

    def start_worker(self) -> subprocess.Popen[bytes]:
        return self._spawn([*CLI, "worker"], f"worker-{len(self.processes)}")

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = (self.data_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def _wait_ready(self) -> None:
        assert self.api is not None
        if not wait_ready(self.base_url, self.api):
            raise RuntimeError(f"the API did not become ready: {self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.data_dir.glob("*.log"))

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> None:
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)

    def wait_for(
        self, client: httpx.Client, export_id: str, statuses: Sequence[str], timeout: float = 60.0
    ) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = client.get(f"/api/v1/export/status/{export_id}")
            assert answer.status_code == 200, answer.text
            data: dict[str, object] = answer.json()["data"]
            if data["status"] in statuses:
                return data
            time.sleep(0.1)
        raise AssertionError(f"export {export_id} never reached {statuses}: {data}\n{self.logs()}")


def service_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SMARTER_EXPORT_")}
    env.update(
        {
            "SMARTER_EXPORT_DATA_DIR": str(data_dir),
            "SMARTER_EXPORT_ENVIRONMENT": "development",
            "SMARTER_EXPORT_LEASE_SECONDS": "5",
            "SMARTER_EXPORT_REAPER_INTERVAL_SECONDS": "1",
            "SMARTER_EXPORT_RETRY_BACKOFF_SECONDS": "0.2",
            "SMARTER_EXPORT_BATCH_SIZE": "1000",
            # Tests of other things must not trip the limits; tests/security sets them tight.
            "SMARTER_EXPORT_RATE_LIMIT_PER_USER": "10000/minute",
            "SMARTER_EXPORT_RATE_LIMIT_PER_TENANT": "10000/minute",
            **overrides,
        }
    )
    return env


def make_template(path: Path, size: DemoSize) -> Path:
    """A demo database made once and copied for every service (checkpointed: one file)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo_data(engine, size)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


def prepare_data_dir(template: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, data_dir / "smarter_export.db")


@dataclass
class LiveFactory:
    template: Path
    base: Path
    started: list[LiveService] = field(default_factory=list)

    def __call__(self, name: str = "svc", **env: str) -> LiveService:
        data_dir = self.base / f"{name}-{len(self.started)}"
        prepare_data_dir(self.template, data_dir)
        service = LiveService(data_dir, free_port(), service_env(data_dir, **env))
        self.started.append(service)
        return service

    def close(self) -> None:
        for service in self.started:
            service.stop_all()
