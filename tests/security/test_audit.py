"""The audit trail: every event of an export is recorded, readable by its firm, and logged."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import httpx

from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs.runner import ExportRunner
from smarter_export.jobs.service import Caller
from smarter_export.runtime import build_runtime
from smarter_export.settings import Settings
from smarter_export.storage.base import PublishProgress, StoredFile
from smarter_export.storage.local import LocalStorage
from tests.live import LiveFactory, prepare_data_dir


def events_of(client: httpx.Client, export_id: str) -> list[dict[str, object]]:
    answer = client.get(f"/api/v1/export/{export_id}/events")
    assert answer.status_code == 200, answer.text
    events: list[dict[str, object]] = answer.json()["data"]
    return events


def test_a_files_life_is_on_record_with_who_and_from_where(live: LiveFactory) -> None:
    service = live("audit", SMARTER_EXPORT_RETENTION_SECONDS="4")
    service.start_api()
    agent = {"User-Agent": "audit-test/1.0"}
    with service.client(service.token(user="auditor")) as client:
        client.headers.update(agent)
        kept = client.post("/api/v1/export/csv", json={"dataSource": "matters"})
        kept_id = kept.json()["data"]["exportId"]
        done = service.wait_for(client, kept_id, ("completed",))
        assert client.get(f"/api/v1/export/download/{kept_id}").status_code == 200
        assert httpx.get(str(done["downloadUrl"]), headers={"User-Agent": "curl/8"}).is_success
        deleted_id = client.post("/api/v1/export/csv", json={"dataSource": "clients"}).json()[
            "data"
        ]["exportId"]
        service.wait_for(client, deleted_id, ("completed",))
        assert client.delete(f"/api/v1/export/{deleted_id}").status_code == 200
        service.wait_for(client, kept_id, ("expired",), timeout=20)

        kept_events = events_of(client, kept_id)
        names = [e["event"] for e in kept_events]
        assert names == ["created", "started", "completed", "downloaded", "downloaded", "expired"]
        created, started, _, by_user, by_link, _ = kept_events
        assert (created["actor"], created["userAgent"]) == ("auditor", "audit-test/1.0")
        assert created["clientAddress"] == "127.0.0.1"
        assert started["actor"] == "system"
        assert (by_user["actor"], by_user["userAgent"]) == ("auditor", "audit-test/1.0")
        assert (by_link["actor"], by_link["userAgent"]) == ("link", "curl/8")
        deleted = events_of(client, deleted_id)
        assert [e["event"] for e in deleted][-1] == "deleted"
        assert deleted[-1]["actor"] == "auditor"

    # Every event is a structured log line too.
    logged = [
        json.loads(line)
        for line in (service.data_dir / "api.log").read_text().splitlines()
        if line.startswith("{") and '"audit.' in line
    ]
    for event in ("created", "started", "completed", "downloaded", "deleted", "expired"):
        assert any(
            line["event"] == f"audit.{event}" and line["export_id"] in {kept_id, deleted_id}
            for line in logged
        ), event


def test_cancelled_is_on_record(live: LiveFactory) -> None:
    service = live("audit-cancel")
    service.start_api(worker=False)  # nobody runs it: it is cancelled while pending
    with service.client(service.token(user="canceller")) as client:
        export_id = client.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()[
            "data"
        ]["exportId"]
        assert client.delete(f"/api/v1/export/{export_id}").json()["data"]["status"] == "cancelled"
        events = events_of(client, export_id)
    assert [(e["event"], e["actor"]) for e in events] == [
        ("created", "canceller"),
        ("cancelled", "canceller"),
    ]


class FlakyStorage(LocalStorage):
    """The folder storage, whose next publishes fail as a storage outage or a bug would."""

    def __init__(self, root: Path, failures: list[Exception]) -> None:
        super().__init__(root)
        self.failures = failures

    def publish(
        self,
        local_file: Path,
        key: str,
        content_type: str,
        on_progress: PublishProgress | None = None,
    ) -> StoredFile:
        if self.failures:
            raise self.failures.pop(0)
        return super().publish(local_file, key, content_type, on_progress)


def test_retried_and_failed_are_on_record(demo_template: Path, tmp_path: Path) -> None:
    prepare_data_dir(demo_template, tmp_path)
    settings = Settings(
        data_dir=tmp_path, environment="development", retry_backoff_seconds=0.05, max_attempts=2
    )
    runtime = build_runtime(settings)
    storage = FlakyStorage(tmp_path / "files", [])
    runner = ExportRunner(
        settings, runtime.engine, storage, lambda _id, _delay: None, "w-1", random.Random(1)
    )
    with runtime.engine.connect() as connection:
        firm = find_firm(connection, "demo")
    caller = Caller(Principal("ops", firm.id, "admin", frozenset({"export:*"})))

    def run(body: dict[str, object], failures: list[Exception]) -> list[str]:
        storage.failures = failures
        export_id = runtime.service.create_export(caller, "csv", body).job.id
        for _ in range(3):
            runner.process(export_id)
            time.sleep(0.15)  # past the retry's backoff
        return [e["event"] for e in runtime.service.events(caller.principal, export_id)]

    recovered = run({"dataSource": "matters"}, [ConnectionError("storage unreachable")])
    assert recovered == ["created", "started", "retried", "started", "completed"]
    broken = run({"dataSource": "clients"}, [ValueError("a bug")])
    assert broken == ["created", "started", "failed"]
    exhausted = run({"dataSource": "timekeepers"}, [TimeoutError(), TimeoutError()])
    assert exhausted == ["created", "started", "retried", "started", "failed"]
    runtime.engine.dispose()
