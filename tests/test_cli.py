"""The `smarter-export` command as a person runs it: a real process on a real SQLite file."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from smarter_export.domain.database import make_engine
from tests.live import free_port, service_env, wait_ready
from tests.readers import csv_tables, xlsx_sheets

CLI = [sys.executable, "-m", "smarter_export"]


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        env=service_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    loaded = run(folder, "demo-data", "--tenants", "2", "--time-entries", "2000", "--seed", "5")
    assert loaded.returncode == 0, loaded.stderr
    assert "2,200 time_entry" in loaded.stderr
    return folder


def test_export_writes_the_file_and_one_summary_line(data_dir: Path) -> None:
    output = data_dir / "entries.csv"
    done = run(
        data_dir,
        "export",
        "time_entries",
        "--tenant",
        "demo",
        "--filter",
        "billableStatus=billable",
        "--columns",
        "date,hours,amount",
        "--output",
        str(output),
    )
    assert done.returncode == 0, done.stderr
    rows = csv_tables(output.read_bytes())["main"]
    engine = make_engine(f"sqlite:///{data_dir / 'smarter_export.db'}")
    with engine.connect() as connection:
        expected = connection.execute(
            text(
                "SELECT count(*) FROM time_entry e JOIN tenant t ON t.id = e.tenant_id "
                "JOIN matter m ON m.id = e.matter_id WHERE t.subdomain = 'demo' "
                "AND NOT e.is_deleted AND NOT m.is_confidential "
                "AND e.billable_status = 'billable'"
            )
        ).scalar_one()
    engine.dispose()
    assert len(rows) - 1 == expected > 0
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith(f"{output}: {expected:,} rows")


def test_excel_export_reads_back(data_dir: Path) -> None:
    output = data_dir / "timekeepers.xlsx"
    done = run(
        data_dir, "export", "timekeepers", "-f", "excel", "--tenant", "demo", "-o", str(output)
    )
    assert done.returncode == 0, done.stderr
    assert "Export info" in xlsx_sheets(output.read_bytes())


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--filter", "dateTo=2024-13-40"), "dateTo"),
        (("--filter", "colour=red"), "colour"),
        (("--columns", "date,nonsense"), "nonsense"),
        (("--tenant", "nobody"), "nobody"),
    ],
)
def test_a_refusal_is_one_clear_line_and_status_2(
    data_dir: Path, args: tuple[str, ...], named: str
) -> None:
    output = data_dir / "refused.csv"
    tenant = () if "--tenant" in args else ("--tenant", "demo")
    done = run(data_dir, "export", "time_entries", *tenant, *args, "--output", str(output))
    assert done.returncode == 2
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_token_refused_without_a_secret_in_production(data_dir: Path) -> None:
    done = run(
        data_dir,
        "token",
        "--tenant",
        "demo",
        "--user",
        "u",
        SMARTER_EXPORT_ENVIRONMENT="production",
    )
    assert done.returncode == 2
    assert "SMARTER_EXPORT_JWT_SECRET" in done.stderr or "SIGNING_SECRETS" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_demo_prints_a_working_token_and_curl_line(tmp_path: Path) -> None:
    """What `make run` does: an empty folder becomes a demo firm served with a usable token."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--demo", "--port", str(port)],
        env=service_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(4)]
        token = lines[0].strip()
        curl = next(line for line in lines if line.startswith("curl "))
        assert token.count(".") == 2
        assert f"Bearer {token}'" in curl
        assert f"http://127.0.0.1:{port}/api/v1/export/csv" in curl
        # The Export Center link carries the token in the fragment, never in a query string.
        assert lines[3].strip() == f"http://127.0.0.1:{port}/#token={token}"
        assert wait_ready(f"http://127.0.0.1:{port}", server), "serve --demo never became ready"
        created = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/export/csv",
            headers={"Authorization": f"Bearer {token}"},
            json={"dataSource": "timekeepers", "activeOnly": True},
            timeout=30,
        )
        assert created.status_code == 202, created.text
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200
        assert "Export Center" in page.text
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0


def test_an_export_on_a_terminal_draws_its_bar_and_writes_the_file(data_dir: Path) -> None:
    """stderr a terminal (a pseudo-terminal): the Rich bar, loaded for it alone, is drawn with
    its rows per second while the file is written, and the summary line follows."""
    import os
    import pty

    output = data_dir / "on-a-terminal.csv"
    command = [*CLI, "export", "time_entries", "--tenant", "demo", "--include-confidential"]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*command, "--output", str(output)],
            env=service_env(data_dir, COLUMNS="120"),
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            timeout=120,
            check=False,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all of it was read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, drawn.decode(errors="replace")
    assert b"rows/s" in drawn and b"Time entries" in drawn
    rows = len(csv_tables(output.read_bytes())["main"]) - 1  # and the header
    assert rows > 1_900 and f": {rows:,} rows" in done.stdout
