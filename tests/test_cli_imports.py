"""A CLI export imports only what it runs, and a worker only what it runs: the HTTP API, the queue
(Huey, Redis), Alembic, the token libraries and the writers of other formats cost an export
tens of megabytes of its peak memory and half a second of its start (README, Benchmarks); Rich
draws a terminal's progress bar only (these exports' stderr is a pipe). Real
exports in real processes; what they imported is listed from `sys.modules` as they end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import service_env
from tests.test_cli import run

# What no one-shot export from SQLite needs, whatever its format.
NEVER_FOR_AN_EXPORT = {
    "psycopg",
    "fastapi",
    "starlette",
    "uvicorn",
    "huey",
    "redis",
    "alembic",
    "jwt",
    "cryptography",
    "structlog",
    "boto3",
    "pyarrow",
    "limits",  # the API's rate limits; a rate limit set in the environment is parsed with it
    "rich",  # only a terminal's progress bar and the messages the CLI prints need it
}
# Each format's own libraries, which the others leave alone.
WRITER_LIBRARIES = {"excel": {"xlsxwriter"}, "pdf": {"reportlab", "PIL"}, "parquet": {"pyarrow"}}

EXPORT_THEN_LIST = """
import json, sys
from smarter_export.cli import main
sys.argv = ["smarter-export", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""

WORKER_LIST = """
import json, sys
from smarter_export.cli import app  # what `smarter-export worker` loads before its command
from smarter_export.runtime import build_runtime
from smarter_export.settings import get_settings
build_runtime(get_settings()).consumer()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("imports")
    loaded = run(folder, "demo-data", "--tenants", "1", "--time-entries", "300")
    assert loaded.returncode == 0, loaded.stderr
    return folder


def imported_by(data_dir: Path, script: str, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(args)],
        # As set up by default: the API's test settings raise its rate limits, which would
        # be parsed (by `limits`) as the settings are read.
        env={k: v for k, v in service_env(data_dir).items() if "_RATE_LIMIT_" not in k},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("format_name", ["csv", "excel", "pdf", "jsonl"])
def test_an_export_imports_only_its_own_writer(data_dir: Path, format_name: str) -> None:
    output = data_dir / f"entries.{format_name}"
    modules = imported_by(
        data_dir,
        EXPORT_THEN_LIST,
        *("export", "time_entries", "--tenant", "demo", "--format", format_name),
        *("--output", str(output)),
    )
    assert output.stat().st_size > 0
    assert "smarter_export" in modules and "sqlalchemy" in modules  # the listing is real
    assert WRITER_LIBRARIES.get(format_name, set()) <= modules
    others = set().union(*(libs for name, libs in WRITER_LIBRARIES.items() if name != format_name))
    assert not modules & (NEVER_FOR_AN_EXPORT | others - WRITER_LIBRARIES.get(format_name, set()))


def test_a_worker_imports_its_queue_but_not_the_api_or_migrations(data_dir: Path) -> None:
    modules = imported_by(data_dir, WORKER_LIST)
    assert {"huey", "smarter_export"} <= modules
    assert not modules & {"fastapi", "starlette", "uvicorn", "alembic", "jwt", "pyarrow"}
