"""A worker stopped with SIGINT on the scaled stack finishes the export it holds, then exits."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.test_faults import wait_until_running
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


def test_sigint_lets_the_running_export_finish(scaled_service: LiveService) -> None:
    service = scaled_service
    worker = service.start_worker()
    service.start_api(worker=False)
    client = service.client(service.token())
    answer = client.post("/api/v1/export/excel", json={"dataSource": "time_entries"})
    export_id = answer.json()["data"]["exportId"]
    wait_until_running(service, client, export_id)
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop after SIGINT: {service.logs()}")
    done = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
    assert done["status"] == "completed", (done, service.logs())
    assert done["attempts"] == 1, "finished by the worker that was stopping, not re-delivered"
