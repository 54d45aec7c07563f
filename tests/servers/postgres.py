"""A real PostgreSQL server for the tests, started from its binaries in a temporary folder.

`initdb` and `postgres` refuse to run as root (CI runs as root), so as root they run as the
unprivileged `postgres` account that Debian's package creates, in a folder it owns. Each test
gets its own database, copied from a template database (`CREATE DATABASE ... TEMPLATE`), which
is as cheap as the SQLite tests' file copy.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize, load_demo_data
from tests.servers.ports import free_port

SUPERUSER = "postgres"


def find_pg_bin() -> Path | None:
    """The folder of `pg_ctl`: $PG_BIN, the newest /usr/lib/postgresql/*/bin, or the PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for folder in candidates:
        if folder and (Path(folder) / "pg_ctl").is_file() and (Path(folder) / "initdb").is_file():
            return Path(folder)
    return None


def _version(folder: str) -> int:
    digits = "".join(ch for ch in Path(folder).parent.name if ch.isdigit())
    return int(digits or 0)


def _run_as() -> dict[str, Any]:
    """Popen arguments that drop root for the server's own account; nothing when not root."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam(SUPERUSER)  # KeyError: no such account; the fixture then skips
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@dataclass
class PostgresServer:
    bin_dir: Path
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="smarter-pg-")))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def start(self) -> None:
        """A new cluster in `root`, running."""
        self.root.chmod(0o755)
        drop = _run_as()
        if drop:
            os.chown(self.root, drop["user"], drop["group"])
        subprocess.run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=self.root,
            **drop,
        )
        self.resume()

    def resume(self) -> None:
        """Run the cluster already in `root` (a benchmark keeps its loaded firm between runs)."""
        # Durability is not under test here; speed is welcome. Enough connections for the
        # load test's five processes and their pools.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        subprocess.run(
            [
                str(self.bin_dir / "pg_ctl"),
                "start",
                "-w",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
            ],
            check=True,
            capture_output=True,
            cwd=self.root,
            **_run_as(),
        )

    def stop(self) -> None:
        """Stop the server and delete its cluster."""
        self.halt(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def halt(self, *, mode: str = "fast") -> None:
        """Stop the server, keeping its cluster for `resume()`."""
        subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "stop", "-m", mode, "-D", str(self.data_dir)],
            check=False,
            capture_output=True,
            cwd=self.root,
            **_run_as(),
        )

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url("postgres", "postgresql"), autocommit=True)

    def create_database(self, *, template: str | None = None, name: str | None = None) -> str:
        """A new database (a copy of `template` if given); its name is returned."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        with self.admin() as connection:
            source = f" TEMPLATE {template}" if template else ""
            connection.execute(f'CREATE DATABASE "{name}"{source}')  # type: ignore[arg-type]
        return name

    def demo_template(self, name: str, *, migrated: str, size: DemoSize) -> str:
        """A template database at the newest schema holding the demo firms of `size`."""
        self.create_database(template=migrated, name=name)
        engine = make_engine(self.url(name))
        try:
            load_demo_data(engine, size)
        finally:
            engine.dispose()
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def terminate_backends(self, database: str, *, running: str = "%") -> int:
        """Cut the connections to `database` whose current query is LIKE `running`, as a
        network fault would; how many were cut."""
        with self.admin() as connection:
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid() AND query LIKE %s",
                (database, running),
            ).fetchall()
        return len(rows)
