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


def claim_at_once(engine: Engine, export_ids: list[str], share: int = 2) -> list[store.Claim]:
    """One worker per id claims at the same instant on its own connection; their outcomes."""
    start = threading.Barrier(len(export_ids))
    outcomes: list[store.Claim] = [store.Claim.NOT_CLAIMABLE] * len(export_ids)
    now = datetime.now(UTC)

    def contend(index: int) -> None:
        with engine.connect() as connection:
            start.wait()
            outcomes[index] = store.claim(
                connection,
                export_ids[index],
                worker=f"w{index}",
                now=now,
                lease_until=now + timedelta(seconds=60),
                max_running_per_tenant=share,
                limits=store.RunLimits(max_attempts=4, time_limit_seconds=3600),
            )
            connection.commit()

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(export_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def race(engine: Engine, export_id: str, contenders: int = 8) -> list[str]:
    """Every contender claims the same job at the same instant; the winners' worker names."""
    outcomes = claim_at_once(engine, [export_id] * contenders)
    return [f"w{i}" for i, outcome in enumerate(outcomes) if outcome is store.Claim.TAKEN]


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
    outcomes = claim_at_once(engine, jobs, share=2)
    assert sorted(outcomes) == sorted([store.Claim.TAKEN] * 2 + [store.Claim.TENANT_BUSY] * 4)
