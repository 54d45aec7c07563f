"""A full disk is a fault the service rides out: the export waits or is retried, says so in
words, and completes once space is freed; nothing is lost, no temporary file is left behind.

The data folder's `tmp/` (where files are written before they are published) is a real tmpfs
mounted by the test (root only; skipped elsewhere with the reason), filled with a ballast file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api.test_faults import events_of, wait_until_counted
from tests.live import LiveFactory, LiveService
from tests.readers import csv_tables
from tests.small_disk import fill, small_disk

RETRY_AT = re.compile(r"It will try again at (\d\d):(\d\d) \(([\w/+-]+)\)\.$")
# Enough tries, close together, to outlast the test's outage.
PATIENT = {
    "SMARTER_EXPORT_MAX_ATTEMPTS": "12",
    "SMARTER_EXPORT_RETRY_BACKOFF_SECONDS": "0.5",
    "SMARTER_EXPORT_RETRY_BACKOFF_MAX_SECONDS": "1.5",
}


@pytest.fixture
def full_tmp(tmp_path: Path) -> Iterator[Path]:
    """Where the next service's data folder will be: its tmp/ on a 3 MB tmpfs."""
    with small_disk(tmp_path / "full-0" / "tmp", "3m") as folder:
        yield folder


def status(client: httpx.Client, export_id: str) -> dict[str, object]:
    data: dict[str, object] = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
    return data


def wait_for_error(
    service: LiveService, client: httpx.Client, export_id: str, code: str
) -> dict[str, object]:
    """The export's status once it waits for a retry with error `code`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = status(client, export_id)
        error = data.get("error")
        if data["status"] == "pending" and isinstance(error, dict) and error["code"] == code:
            return data
        time.sleep(0.05)
    raise AssertionError(f"{export_id} never waited with {code}: {data}\n{service.logs()}")


def assert_retry_time_in_firm_zone(message: str, firm_zone: str) -> None:
    found = RETRY_AT.search(message)
    assert found, message
    hours, minutes, zone = found.groups()
    assert zone == firm_zone
    now = datetime.now(UTC).astimezone(ZoneInfo(zone))
    said = now.replace(hour=int(hours), minute=int(minutes), second=0, microsecond=0)
    # Within the backoff's reach of now (a day's wrap at midnight allowed for).
    gap = min(
        abs(said - now), abs(said + timedelta(days=1) - now), abs(said - timedelta(days=1) - now)
    )
    assert gap <= timedelta(minutes=2), (message, now)


def assert_nothing_staged(service: LiveService) -> None:
    tmp = service.data_dir / "tmp"
    assert sorted(p.name for p in tmp.iterdir()) == [], "no temporary file is left behind"
    assert not list((service.data_dir / "files").rglob(".*")), "no half-published file"


def test_exports_wait_while_the_disk_is_full_and_complete_once_space_is_freed(
    live: LiveFactory, full_tmp: Path
) -> None:
    service = live("full", SMARTER_EXPORT_LOW_DISK_BYTES="1000000", **PATIENT)
    assert full_tmp == service.data_dir / "tmp"
    ballast = fill(full_tmp)
    service.start_api()  # the API with its in-process worker
    client = service.client(service.token())

    ready = client.get("/readyz")
    assert ready.status_code == 200, "a full disk is a warning, the service still queues work"
    assert ready.json()["data"]["checks"]["disk"].startswith("low: tmp has 0 kB free"), ready.text
    gauge = re.search(
        r'smarter_export_free_bytes\{folder="tmp"\} (\S+)', client.get("/metrics").text
    )
    assert gauge and float(gauge.group(1)) < 64 * 1024, "the gauge sees the full tmpfs"

    # Created during the outage: every one is accepted, waits, and completes afterwards.
    requests = [
        ("csv", {"dataSource": "time_entries"}),
        ("excel", {"dataSource": "matters"}),
        ("pdf", {"dataSource": "clients"}),
    ]
    created = [client.post(f"/api/v1/export/{fmt}", json=body) for fmt, body in requests]
    assert [answer.status_code for answer in created] == [202, 202, 202]
    ids = [answer.json()["data"]["exportId"] for answer in created]

    waiting = wait_for_error(service, client, ids[0], "disk_full")
    message = str(waiting["error"]["message"])  # type: ignore[index]
    assert message.startswith("The export service is short of storage space for this export"), (
        message
    )
    assert_retry_time_in_firm_zone(message, service.firm().timezone)

    ballast.unlink()  # what the expiry sweep or an operator does
    finished = [service.wait_for(client, i, ("completed", "failed"), timeout=90) for i in ids]
    assert [f["status"] for f in finished] == ["completed"] * 3, finished
    csv_export = finished[0]
    assert csv_export["attempts"] > 1, "it waited, then ran"  # type: ignore[operator]
    assert "retried" in events_of(service, ids[0])
    rows = csv_tables(httpx.get(str(csv_export["downloadUrl"]), timeout=30).content)["main"]
    assert len(rows) - 1 == csv_export["progress"]["rowsTotal"]  # type: ignore[index]
    assert_nothing_staged(service)
    assert client.get("/readyz").json()["data"]["checks"]["disk"] == "ok", "space is back"


def test_a_full_sort_folder_makes_an_export_from_sqlite_wait_and_readyz_names_it(
    live: LiveFactory, tmp_path: Path
) -> None:
    """SQLite sorts a large export's rows through temporary files in its own folder
    (`SQLITE_TMPDIR` here, a full tmpfs): the export waits before it writes a row, as for a
    full `tmp/`, and runs once space is freed."""
    with small_disk(tmp_path / "sort", "3m") as sort:
        ballast = fill(sort)
        service = live(
            "sort", SQLITE_TMPDIR=str(sort), SMARTER_EXPORT_LOW_DISK_BYTES="1000000", **PATIENT
        )
        service.start_api()
        client = service.client(service.token())
        disk = client.get("/readyz").json()["data"]["checks"]["disk"]
        assert disk.startswith("low: sort has 0 kB free"), disk
        export_id = client.post("/api/v1/export/csv", json={"dataSource": "time_entries"}).json()[
            "data"
        ]["exportId"]
        waiting = wait_for_error(service, client, export_id, "disk_full")
        message = str(waiting["error"]["message"])  # type: ignore[index]
        assert "short of storage space for this export" in message, message
        assert "needed for the database's sort" in message, message
        assert waiting["progress"]["rowsProcessed"] == 0  # type: ignore[index]
        ballast.unlink()
        done = service.wait_for(client, export_id, ("completed", "failed"), timeout=90)
        assert done["status"] == "completed", done
        rows = csv_tables(httpx.get(str(done["downloadUrl"]), timeout=30).content)["main"]
        assert len(rows) - 1 == done["progress"]["rowsTotal"]  # type: ignore[index]
        assert_nothing_staged(service)


def test_a_disk_that_fills_mid_export_is_retried_and_the_export_completes(
    live_large: LiveFactory, tmp_path: Path
) -> None:
    """The space check passed, then another writer filled the disk under the running export."""
    with small_disk(tmp_path / "midway-0" / "tmp", "32m") as tmp:
        service = live_large("midway", **PATIENT)
        service.start_api()
        client = service.client(service.token())
        export_id = client.post("/api/v1/export/excel", json={"dataSource": "time_entries"}).json()[
            "data"
        ]["exportId"]
        wait_until_counted(service, client, export_id)
        ballast = fill(tmp)  # the workbook is zipped into tmp/ as it closes: no room left
        waiting = wait_for_error(service, client, export_id, "disk_full")
        assert "OSError(28, 'No space left on device')" in service.logs()
        assert_nothing_staged_but(tmp, ballast)
        ballast.unlink()
        done = service.wait_for(client, export_id, ("completed", "failed"), timeout=180)
        assert done["status"] == "completed", (waiting, done)
        assert_nothing_staged(service)


def assert_nothing_staged_but(tmp: Path, ballast: Path) -> None:
    assert [p.name for p in tmp.iterdir()] == [ballast.name], "the partial file was removed"


def test_out_of_attempts_the_message_names_what_an_operator_should_do(
    live: LiveFactory, full_tmp: Path
) -> None:
    service = live("full", SMARTER_EXPORT_MAX_ATTEMPTS="2")
    fill(full_tmp)
    service.start_api()
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/csv", json={"dataSource": "time_entries"}).json()[
        "data"
    ]["exportId"]
    failed = service.wait_for(client, export_id, ("completed", "failed"), timeout=60)
    assert failed["status"] == "failed"
    error = failed["error"]
    assert isinstance(error, dict)
    assert error["code"] == "disk_full"
    assert error["message"].endswith(
        "It failed on all 2 attempts: an operator should free space in the export service's "
        "data folder, or in SQLite's temporary folder where a large export's rows are sorted "
        "(`/readyz` names the folder that is low), or raise the disk quota; then request the "
        "export again."
    ), error
    assert "It will try again" not in error["message"]
