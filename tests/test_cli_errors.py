"""A wrong setup is one line naming what is wrong and what to do, and a non-zero exit: every
command against a database without its schema, an unreachable PostgreSQL, Redis or S3, a folder
it cannot write, a broken installation without its fonts. Real processes, as a person runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from smarter_export.domain.database import make_engine
from smarter_export.domain.schema import alembic_config, upgrade
from tests.live import prepare_data_dir
from tests.servers.ports import free_port
from tests.test_cli import run

SRC = Path(__file__).resolve().parent.parent / "src" / "smarter_export"


def migrated(data_dir: Path) -> Path:
    engine = make_engine(f"sqlite:///{data_dir / 'smarter_export.db'}")
    upgrade(engine)
    engine.dispose()
    return data_dir


def one_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The command failed with exactly one line on stderr, naming each of `expected`."""
    assert done.returncode == 1, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for part in expected:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def some_port() -> str:
    return str(free_port())  # free now, so nothing answers there


@pytest.mark.parametrize(
    "args",
    [
        ("export", "timekeepers", "--tenant", "demo", "-o", "out.csv"),
        ("token", "--tenant", "demo", "--user", "u"),
        ("worker",),
    ],
)
def test_a_database_without_its_schema(tmp_path: Path, args: tuple[str, ...]) -> None:
    """A new data folder: the SQLite file is made empty, and the command says to migrate."""
    done = run(tmp_path, *args)
    one_line(done, str(tmp_path / "smarter_export.db"), "no schema", "smarter-export migrate")


def test_a_database_at_an_older_schema(tmp_path: Path) -> None:
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'smarter_export.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    one_line(run(tmp_path, "worker"), "at schema 0003", "smarter-export migrate")


def test_a_schema_lost_under_a_running_command_is_one_line(tmp_path: Path) -> None:
    """The version table says migrated, the tables say otherwise (restored from a bad backup)."""
    migrated(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'smarter_export.db'}")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE export_event"))
        connection.execute(text("DROP TABLE export_job"))
        connection.execute(text("DROP TABLE user_grant"))
        connection.execute(text("DROP TABLE tenant"))
    engine.dispose()
    one_line(run(tmp_path, "token", "--tenant", "demo", "--user", "u"), "no such table: tenant")


@pytest.mark.parametrize("args", [("migrate",), ("serve",)])
def test_an_unreachable_postgresql(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = f"postgresql+psycopg://exporter:hunter2@127.0.0.1:{some_port()}/firm"
    done = run(tmp_path, *args, SMARTER_EXPORT_DATABASE_URL=url)
    line = one_line(done, "127.0.0.1", "/firm", "Connection refused")
    assert "hunter2" not in line


def test_an_unreachable_redis(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{some_port()}/0"
    done = run(migrated(tmp_path), "worker", SMARTER_EXPORT_QUEUE_URL=url)
    one_line(done, f"Cannot reach the queue at {url}", "SMARTER_EXPORT_QUEUE_URL")


def test_an_unreachable_s3(tmp_path: Path) -> None:
    done = run(
        migrated(tmp_path),
        "serve",
        SMARTER_EXPORT_STORAGE_URL="s3://exports/firm",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{some_port()}",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
    )
    one_line(done, "s3://exports/firm", "did not answer", "SMARTER_EXPORT_STORAGE_URL")


@pytest.mark.parametrize("args", [("migrate",), ("serve",)])
def test_a_data_folder_that_cannot_be_written(tmp_path: Path, args: tuple[str, ...]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run(tmp_path, *args, SMARTER_EXPORT_DATA_DIR=str(blocker / "data"))
    one_line(done, f"Cannot write the data folder {blocker / 'data'}", "SMARTER_EXPORT_DATA_DIR")


def test_an_output_path_that_cannot_be_written(tmp_path: Path) -> None:
    migrated(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "out.csv"
    done = run(tmp_path, "export", "timekeepers", "--tenant", "demo", "-o", str(target))
    one_line(done, f"Cannot write {target}")


@pytest.fixture(scope="module")
def fontless(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A broken installation: the package without one of its fonts, first on the path."""
    root = tmp_path_factory.mktemp("fontless")
    shutil.copytree(SRC, root / "smarter_export", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "smarter_export" / "fonts" / "DejaVuSans.ttf").unlink()
    return {"PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def test_missing_fonts_stop_the_service(tmp_path: Path, fontless: dict[str, str]) -> None:
    done = run(migrated(tmp_path), "worker", **fontless)
    one_line(done, "PDF fonts are missing", "DejaVuSans.ttf")


def test_missing_fonts_stop_a_pdf_export(
    tmp_path: Path, fontless: dict[str, str], demo_template: Path
) -> None:
    prepare_data_dir(demo_template, tmp_path)
    output = tmp_path / "out.pdf"
    done = run(
        tmp_path,
        "export",
        "timekeepers",
        "-f",
        "pdf",
        "--tenant",
        "demo",
        "-o",
        str(output),
        **fontless,
    )
    one_line(done, "PDF fonts are missing", "reinstall")
    assert not output.exists()
    csv = run(
        tmp_path,
        "export",
        "timekeepers",
        "--tenant",
        "demo",
        "-o",
        str(tmp_path / "out.csv"),
        **fontless,
    )
    assert csv.returncode == 0, csv.stderr  # nothing else needs the fonts


def test_a_setting_out_of_range(tmp_path: Path) -> None:
    done = run(tmp_path, "worker", SMARTER_EXPORT_LEASE_SECONDS="3")
    one_line(done, "SMARTER_EXPORT_LEASE_SECONDS='3'", "greater than or equal to 5")


def test_a_rate_limit_that_does_not_parse(tmp_path: Path) -> None:
    """Parsed by the `limits` package as the settings are read (not its default, which a CLI
    export keeps without importing it: `test_cli_imports.py`)."""
    done = run(tmp_path, "worker", SMARTER_EXPORT_RATE_LIMIT_PER_USER="ten a minute")
    one_line(done, "SMARTER_EXPORT_RATE_LIMIT_PER_USER", "is not a rate limit")
