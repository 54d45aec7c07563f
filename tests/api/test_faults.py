"""Faults lose nothing: a worker killed mid-export, an API restarted, a delivery never made."""

from __future__ import annotations

import io
import signal
import time
import uuid
from datetime import UTC, datetime

import httpx
import openpyxl
from sqlalchemy import select

from smarter_export.domain.database import make_engine
from smarter_export.jobs.tables import export_event, export_job
from tests.live import LiveFactory, LiveService

BIG_EXPORT = {"dataSource": "time_entries"}


def events_of(service: LiveService, export_id: str) -> list[str]:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(export_event.c.event)
                    .where(export_event.c.export_id == export_id)
                    .order_by(export_event.c.created_at)
                ).scalars()
            )
    finally:
        engine.dispose()


def wait_until_counted(service: LiveService, client: httpx.Client, export_id: str) -> None:
    """Until the export's first attempt has counted its rows: its room check has passed and the
    first row is about to be written (a retry keeps the last attempt's count). (A first count of written rows comes a second later, and a streamed workbook
    of 150,000 rows can be done by then.)"""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
        if data["status"] == "processing" and data["progress"]["rowsTotal"]:
            return
        assert data["status"] in ("pending", "processing"), f"it ended first: {data}"
        time.sleep(0.02)
    raise AssertionError(f"never counted: {service.logs()}")


def test_worker_killed_mid_export_completes_once(live_large: LiveFactory) -> None:
    service = live_large("kill")
    service.start_api(worker=False)
    first = service.start_worker()
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/excel", json=BIG_EXPORT).json()["data"]["exportId"]
    wait_until_counted(service, client, export_id)
    first.send_signal(signal.SIGKILL)
    first.wait()
    running = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
    # The row still says so (its lease will lapse); else the export ended before the kill.
    assert running["status"] == "processing", running
    assert not list((service.data_dir / "files").rglob("*.xlsx")), "no half file is published"
    service.start_worker()
    done = service.wait_for(client, export_id, ("completed", "failed"), timeout=120)
    assert done["status"] == "completed", done
    assert done["attempts"] == 2
    events = events_of(service, export_id)
    assert events.count("started") == 2
    assert events.count("completed") == 1
    content = httpx.get(str(done["downloadUrl"]), timeout=60).content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)  # 150,000 rows: stream
    rows = sum(1 for _ in book["Time entries"].iter_rows(values_only=True))
    assert rows - 2 == done["progress"]["rowsTotal"]  # header and totals row
    assert len(list((service.data_dir / "files").rglob("*.xlsx"))) == 1


def test_api_restarted_between_create_and_processing(live_large: LiveFactory) -> None:
    service = live_large("restart")
    api = service.start_api(worker=False)
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()["data"][
        "exportId"
    ]
    api.send_signal(signal.SIGKILL)
    api.wait()
    service.start_api(worker=True)
    client = service.client(service.token())
    done = service.wait_for(client, export_id, ("completed",), timeout=60)
    assert done["attempts"] == 1
    assert events_of(service, export_id).count("completed") == 1


def test_job_committed_but_never_enqueued_is_delivered_by_the_reaper(live: LiveFactory) -> None:
    service = live("reaper")
    firm = service.firm()
    export_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    engine = make_engine(service.settings.resolved_database_url)
    # What the API leaves behind when it dies between its commit and its enqueue.
    with engine.begin() as connection:
        connection.execute(
            export_job.insert(),
            {
                "id": export_id,
                "tenant_id": firm.id,
                "user_id": "u",
                "source": "timekeepers",
                "format": "csv",
                "parameters": {},
                "status": "pending",
                "warnings": [],
                "request_fingerprint": "x",
                "created_at": now,
                "updated_at": now,
            },
        )
    engine.dispose()
    service.start_api()
    client = service.client(service.token())
    done = service.wait_for(client, export_id, ("completed",), timeout=60)
    assert done["attempts"] == 1


def test_cancel_pending_and_running(live_large: LiveFactory) -> None:
    service = live_large("cancel")
    service.start_api()
    client = service.client(service.token())
    # A PDF, the slowest format: the cancel is seen at the next progress write, a second away,
    # and a streamed workbook of these rows can be done by then on a fast machine.
    running = client.post("/api/v1/export/pdf", json=BIG_EXPORT).json()["data"]["exportId"]
    wait_until_counted(service, client, running)
    answer = client.delete(f"/api/v1/export/{running}")
    assert answer.status_code == 200
    assert answer.json()["data"]["cancelRequested"] is True
    cancelled = service.wait_for(client, running, ("cancelled", "completed", "expired"), timeout=60)
    assert cancelled["status"] == "cancelled"
    assert cancelled["downloadUrl"] is None
    assert not list((service.data_dir / "files").rglob("*.pdf"))
    assert not list((service.data_dir / "tmp").glob("*")), "the half-written file is removed"


def test_progress_and_eta_on_a_steady_export(live_large: LiveFactory) -> None:
    """The ETA given at about a quarter lands within a factor of 1.5 of the real finish.

    A PDF: its rows cost the same all the way, where a streamed workbook's are now so quick that
    counting the rows first is a good part of the export, and the pace from the start of the
    attempt is no longer steady (the ETA counts that time as rows' time)."""
    service = live_large("eta")
    service.start_api()
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/pdf", json=BIG_EXPORT).json()["data"]["exportId"]
    estimate: tuple[float, datetime] | None = None
    updates = set()
    phases = set()
    while True:
        data = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
        if data["status"] == "completed":
            break
        assert data["status"] in ("pending", "processing"), data
        updates.add(data["progress"]["rowsProcessed"])
        phases.add(data["progress"]["phase"])
        if estimate is None and data["progress"]["percent"] >= 25 and data["estimatedCompletionAt"]:
            estimate = (time.time(), datetime.fromisoformat(data["estimatedCompletionAt"]))
        time.sleep(0.1)
    finished = time.time()
    assert estimate is not None, "no estimate was given past 25 %"
    asked_at, eta = estimate
    predicted, actual = eta.timestamp() - asked_at, finished - asked_at
    assert actual / 1.5 <= predicted <= actual * 1.5, (predicted, actual)
    assert len(updates) >= 3, "progress moved at least a few times"
    assert "writing" in phases, phases
    assert phases <= {None, "writing", "finishing", "uploading"}, phases
    assert data["progress"]["phase"] is None, "a finished export is in no phase"
