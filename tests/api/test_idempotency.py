"""Idempotency-Key is kept by the database: concurrent requests with one key make one export."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from smarter_export.domain.database import make_engine
from smarter_export.jobs.tables import export_job
from tests.live import CLI, LiveFactory, LiveService, wait_ready
from tests.servers.ports import free_port
from tests.servers.postgres import PostgresServer
from tests.servers.stack import ScaledStack

CONTENDERS = 12


@pytest.fixture(params=["sqlite", "postgresql"])
def service(
    request: pytest.FixtureRequest, live: LiveFactory, tmp_path: Path
) -> Iterator[LiveService]:
    scaled: ScaledStack | None = None
    if request.param == "sqlite":
        running = live("idempotency")
    else:
        stack: ScaledStack = request.getfixturevalue("scaled_stack")
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        scaled = ScaledStack(postgres, stack.template, stack.redis_program, stack.s3)
        running = live("idempotency-pg", **scaled.parts().env)
    # Two API processes, as behind a load balancer: one process alone answers a creation at a
    # time (its event loop runs it), so the race needs two. No worker: the exports stay pending.
    running.start_api(worker=False)
    second = free_port()
    process = running._spawn([*CLI, "serve", "--no-worker", "--port", str(second)], "api-2")
    assert wait_ready(f"http://127.0.0.1:{second}", process), running.logs()
    running.env["SECOND_API"] = str(second)
    yield running
    running.stop_all()
    if scaled is not None:
        scaled.close()


def post_at_once(
    service: LiveService, key: str, bodies: list[dict[str, object]]
) -> list[httpx.Response]:
    token = service.token(user="twice")
    start = threading.Barrier(len(bodies))
    answers: list[httpx.Response | None] = [None] * len(bodies)

    ports = [service.port, int(service.env["SECOND_API"])]

    def post(index: int) -> None:
        port = ports[index % 2]
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as client:
            start.wait()
            answers[index] = client.post(
                "/api/v1/export/csv", json=bodies[index], headers={"Idempotency-Key": key}
            )

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def exports_with_key(service: LiveService, key: str) -> int:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(export_job.c.idempotency_key == key)
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_concurrent_requests_with_one_key_make_one_export(service: LiveService) -> None:
    for round_number in range(4):
        key = f"pay-run-{round_number}"
        answers = post_at_once(service, key, [{"dataSource": "matters"}] * CONTENDERS)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] * (CONTENDERS - 1) + [202], [a.text for a in answers]
        ids = {answer.json()["data"]["exportId"] for answer in answers}
        assert len(ids) == 1, "every request got the one export's answer"
        assert exports_with_key(service, key) == 1

    # A key reused at once for another request: one export, the other requests refused.
    bodies: list[dict[str, object]] = [{"dataSource": "matters"}, {"dataSource": "clients"}] * 4
    answers = post_at_once(service, "reused", bodies)
    created = [a for a in answers if a.status_code == 202]
    assert len(created) == 1
    winner = created[0].json()["data"]["dataSource"]
    for answer in answers:
        if answer.status_code == 400:
            assert answer.json()["error"]["details"][0]["field"] == "Idempotency-Key"
        else:
            assert answer.json()["data"]["dataSource"] == winner
    assert exports_with_key(service, "reused") == 1
