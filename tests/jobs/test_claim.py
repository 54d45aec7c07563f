"""The job claim under real concurrency: many workers race for one job, exactly one wins."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from smarter_export.jobs import store
from smarter_export.jobs.records import JobStatus
from tests.factories import make_tenant, new_id


def make_job(
    engine: Engine,
    *,
    status: JobStatus = JobStatus.PENDING,
    tenant: str | None = None,
    **values: object,
) -> str:
    export_id = new_id()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        tenant = tenant or make_tenant(connection)
        store.insert_job(
            connection,
            {
                "id": export_id,
                "tenant_id": tenant,
                "user_id": "u",
                "source": "timekeepers",
                "format": "csv",
                "parameters": {},
                "status": status,
                "warnings": [],
                "request_fingerprint": "f",
                "created_at": now,
                "updated_at": now,
                **values,
            },
        )
    return export_id


def race(engine: Engine, export_id: str, contenders: int = 8) -> list[str]:
    """Every contender claims at the same instant on its own connection; the winners."""
    start = threading.Barrier(contenders)
    winners: list[str] = []
    now = datetime.now(UTC)

    def contend(worker: str) -> None:
        with engine.connect() as connection:
            start.wait()
            won = store.claim(
                connection,
                export_id,
                worker=worker,
                now=now,
                lease_until=now + timedelta(60),
                max_running_per_tenant=2,
            )
            connection.commit()
        if won is store.Claim.TAKEN:
            winners.append(worker)

    threads = [threading.Thread(target=contend, args=(f"w{i}",)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return winners


def test_one_of_many_concurrent_claims_wins(engine: Engine) -> None:
    for _ in range(5):
        export_id = make_job(engine)
        winners = race(engine, export_id)
        assert len(winners) == 1
        with engine.connect() as connection:
            job = store.get_job(connection, export_id)
        assert job is not None
        assert job.status is JobStatus.PROCESSING
        assert job.attempts == 1
        assert job.lease_owner == winners[0]


def test_a_lapsed_lease_is_taken_over_by_exactly_one(engine: Engine) -> None:
    lapsed = datetime.now(UTC) - timedelta(seconds=5)
    export_id = make_job(
        engine,
        status=JobStatus.PROCESSING,
        lease_owner="dead",
        lease_expires_at=lapsed,
        attempts=1,
    )
    winners = race(engine, export_id)
    assert len(winners) == 1
    with engine.connect() as connection:
        job = store.get_job(connection, export_id)
    assert job is not None
    assert job.attempts == 2
    assert job.lease_owner == winners[0]


def test_one_firms_concurrent_claims_stop_at_its_share(engine: Engine) -> None:
    """Six workers claim six jobs of one firm at the same instant; its share is two."""
    with engine.begin() as connection:
        tenant = make_tenant(connection)
    jobs = [make_job(engine, tenant=tenant) for _ in range(6)]
    start = threading.Barrier(len(jobs))
    outcomes: list[store.Claim] = []
    now = datetime.now(UTC)

    def contend(export_id: str) -> None:
        with engine.connect() as connection:
            start.wait()
            outcome = store.claim(
                connection,
                export_id,
                worker=f"w-{export_id}",
                now=now,
                lease_until=now + timedelta(seconds=60),
                max_running_per_tenant=2,
            )
            connection.commit()
        outcomes.append(outcome)

    threads = [threading.Thread(target=contend, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([store.Claim.TAKEN] * 2 + [store.Claim.TENANT_BUSY] * 4)
