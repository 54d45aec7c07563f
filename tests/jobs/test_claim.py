"""The job claim under real concurrency: many workers race for one job, exactly one wins."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from smarter_export.jobs import lifecycle, store
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


def test_a_spent_job_is_never_claimed_and_is_settled(engine: Engine) -> None:
    """Out of attempts, cancelled, or past the time limit: no claim takes it, on either
    database, and `lifecycle.settle` ends each the right way."""
    limits = store.RunLimits(max_attempts=2, time_limit_seconds=60)
    now = datetime.now(UTC)
    lapsed = {"lease_owner": "dead", "lease_expires_at": now - timedelta(seconds=1)}
    processing = JobStatus.PROCESSING
    poison = make_job(engine, status=processing, attempts=2, first_started_at=now, **lapsed)
    cancelled = make_job(
        engine, status=processing, attempts=1, cancel_requested=True, first_started_at=now, **lapsed
    )
    too_long = make_job(
        engine,
        status=JobStatus.PENDING,
        attempts=1,
        first_started_at=now - timedelta(seconds=61),
    )
    fresh = make_job(engine)
    with engine.begin() as connection:
        for export_id in (poison, cancelled, too_long):
            taken = store.claim(
                connection,
                export_id,
                worker="w",
                now=now,
                lease_until=now + timedelta(seconds=60),
                max_running_per_tenant=10,
                limits=limits,
            )
            assert taken is store.Claim.NOT_CLAIMABLE
        ended = lifecycle.settle(connection, now=now, limits=limits)
    assert {(e.job.id, e.status, e.error_code) for e in ended} == {
        (poison, JobStatus.FAILED, "worker_stopped"),
        (cancelled, JobStatus.CANCELLED, None),
        (too_long, JobStatus.FAILED, "time_limit_exceeded"),
    }
    with engine.connect() as connection:
        assert store.get_job(connection, fresh).status is JobStatus.PENDING  # type: ignore[union-attr]
