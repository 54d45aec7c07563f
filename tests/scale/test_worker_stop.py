"""A worker stopped with SIGINT on the scaled stack finishes the export it holds, then exits."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import LiveFactory, LiveService
from tests.servers.postgres import PostgresServer
from tests.servers.stack import ScaledStack

pytestmark = pytest.mark.slow


@pytest.fixture
def scaled_service(
    scaled_stack: ScaledStack,
    load_pg_template: str,
    postgres_server: PostgresServer,
    tmp_path: Path,
) -> Iterator[LiveService]:
    stack = ScaledStack(
        postgres_server, load_pg_template, scaled_stack.redis_program, scaled_stack.s3
    )
    unused = tmp_path / "unused.db"
    unused.touch()
    factory = LiveFactory(unused, tmp_path)
    try:
        yield factory("stop", **stack.parts().env)
    finally:
        factory.close()
        stack.close()


def wait_until_held(service: LiveService, client: httpx.Client, export_id: str) -> str:
    """Until a worker holds the export (rows may not be counted yet: progress is written once a
    second, and the whole export takes about two)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = str(client.get(f"/api/v1/export/status/{export_id}").json()["data"]["status"])
        if status != "pending":
            return status
        time.sleep(0.02)
    raise AssertionError(f"never picked up: {service.logs()}")


def test_sigint_lets_the_running_export_finish(scaled_service: LiveService) -> None:
    service = scaled_service
    worker = service.start_worker()
    service.start_api(worker=False)
    client = service.client(service.token())
    # The slowest format: a time-entries workbook streams in under half a second on a fast
    # machine, before a status poll can see it running.
    answer = client.post("/api/v1/export/pdf", json={"dataSource": "time_entries"})
    export_id = answer.json()["data"]["exportId"]
    assert wait_until_held(service, client, export_id) == "processing", "finished unseen"
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop after SIGINT: {service.logs()}")
    done = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
    assert done["status"] == "completed", (done, service.logs())
    assert done["attempts"] == 1, "finished by the worker that was stopping, not re-delivered"
