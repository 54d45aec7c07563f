"""Load and faults on the scaled-out service: 2 APIs, 3 workers, PostgreSQL, Redis and S3.

300 exports from 10 firms are asked for at once (every source, every format, the largest on
the first firm's time entries) while faults are injected: a worker SIGKILLed mid-export, Redis
restarted with the queue in it, PostgreSQL connections cut mid-stream, S3 refusing for a while,
and exports committed by an API that died before enqueueing them. Every export must complete
exactly once and every file must download, through our link and S3's redirect, with its SHA-256.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.scale.cluster import Cluster, open_cluster
from tests.scale.report import REPORTS
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Server
from tests.servers.stack import ScaledStack

pytestmark = pytest.mark.slow

FIRMS = ["demo", *(f"firm-{n}" for n in range(2, 11))]
SOURCES = ["time_entries", "matters", "clients", "timekeepers", "invoices"]
FORMATS = ["csv", "excel", "pdf"]
PER_FIRM = 30
ORPHANS = 5  # committed by an API that died before enqueueing
FINISHED = ("completed", "failed", "cancelled", "expired")


@pytest.fixture
def cluster(
    scaled_stack: ScaledStack,
    load_pg_template: str,
    postgres_server: PostgresServer,
    s3_server: S3Server,
    tmp_path: Path,
) -> Iterator[Cluster]:
    yield from open_cluster(
        scaled_stack,
        load_pg_template,
        postgres_server,
        s3_server,
        tmp_path,
        SMARTER_EXPORT_LEASE_SECONDS="10",
        SMARTER_EXPORT_REAPER_INTERVAL_SECONDS="2",
        SMARTER_EXPORT_MAX_ATTEMPTS="10",
        SMARTER_EXPORT_RETRY_BACKOFF_SECONDS="0.5",
        SMARTER_EXPORT_RETRY_BACKOFF_MAX_SECONDS="5",
    )


def requests_for_load() -> list[tuple[str, str, str]]:
    """(firm, source, format): 30 a firm, every pair of source and format, shifted by firm.

    The ten firms ask at the same time, so their requests arrive interleaved.
    """
    pairs = list(itertools.product(SOURCES, FORMATS))
    return [
        (firm, *pairs[(index + shift) % len(pairs)])
        for index in range(PER_FIRM)
        for shift, firm in enumerate(FIRMS)
    ]


def test_300_exports_from_10_firms_complete_once_through_faults(cluster: Cluster) -> None:
    service = cluster.service
    firms = {name: service.firm(name) for name in FIRMS}
    tokens = {name: service.token(tenant=name, user=f"load-{name}") for name in FIRMS}
    wanted = requests_for_load()
    started = time.monotonic()

    def create(numbered: tuple[int, tuple[str, str, str]]) -> tuple[str, str]:
        index, (firm, source, format_name) = numbered
        with cluster.api_client(index, tokens[firm]) as client:
            answer = client.post(
                f"/api/v1/export/{format_name}",
                json={"dataSource": source},
                headers={"Idempotency-Key": f"load-{index}"},
            )
        assert answer.status_code == 202, answer.text
        return firm, answer.json()["data"]["exportId"]

    with ThreadPoolExecutor(max_workers=24) as pool:
        accepted = {export_id: firm for firm, export_id in pool.map(create, enumerate(wanted))}
    created_seconds = time.monotonic() - started
    assert len(accepted) == len(wanted)

    # Faults, in the order a bad day might bring them, while the exports run.
    waiting = cluster.restart_redis()  # the deliveries waiting in Redis are gone
    for n in range(ORPHANS):
        firm = FIRMS[n]
        accepted[cluster.commit_without_enqueue(firms[firm].id, "timekeepers", "csv")] = firm
    killed = cluster.kill_a_worker_mid_export()
    cut = cluster.drop_database_connections_mid_stream()
    cluster.refuse_s3_writes(6.0)

    deadline = time.monotonic() + 420
    while time.monotonic() < deadline:
        jobs = cluster.jobs(list(accepted))
        if len(jobs) == len(accepted) and all(j.status in FINISHED for j in jobs.values()):
            break
        time.sleep(1)
    finished_seconds = time.monotonic() - started
    jobs = cluster.jobs(list(accepted))
    completed_events = cluster.event_counts("completed")
    retried_events = cluster.event_counts("retried")
    completed = [i for i, j in jobs.items() if j.status == "completed"]
    duplicated = [i for i in accepted if completed_events.get(i, 0) > 1]
    lost = [i for i in accepted if i not in jobs or jobs[i].status != "completed"]

    verified = cluster.download_and_verify(accepted, tokens, completed)
    margin, starved = _fairness(cluster, accepted)
    REPORTS["scale: load and faults (2 APIs, 3 workers, PostgreSQL + Redis + S3)"] = [
        f"exports accepted: {len(accepted)} ({len(wanted)} over HTTP from {len(FIRMS)} firms"
        f" in {created_seconds:.1f} s, {ORPHANS} committed without enqueue)",
        f"completed: {len(completed)} in {finished_seconds:.1f} s from the first request",
        f"duplicated (completed more than once): {len(duplicated)}",
        f"lost (not completed): {len(lost)}",
        f"downloaded through the 307 redirect, SHA-256 matching: {verified}",
        "faults injected: " + ", ".join(f"{name} x{n}" for name, n in cluster.faults.items()),
        f"  worker killed while holding export {killed} (attempts {jobs[killed].attempts});"
        f" {cut} PostgreSQL connection(s) cut mid-stream;"
        f" {cluster.s3_proxy.refusals} S3 connections refused;"
        f" {waiting} exports were waiting when Redis restarted",
        f"retries recorded: {sum(retried_events.values())} on {len(retried_events)} exports;"
        f" attempts max {max(j.attempts for j in jobs.values())}",
        "each firm's first start before the last completion of every other firm:"
        f" smallest margin {margin:.1f} s, firms waiting for all of another's: {len(starved)}",
    ]
    assert not lost, [(i, jobs[i].status, jobs[i].error_message) for i in lost if i in jobs]
    assert not duplicated
    assert all(completed_events.get(i) == 1 for i in accepted)
    assert jobs[killed].attempts >= 2
    assert verified == len(accepted)
    assert retried_events, "the cut connections and refused writes were retried"
    assert not starved
    assert waiting > 0, "Redis went down with deliveries in it"


def _fairness(cluster: Cluster, accepted: dict[str, str]) -> tuple[float, list[str]]:
    """No firm's exports wait for all of another's: each firm's first export starts before the
    last export of every other firm completes. The smallest margin in seconds, and the pairs
    where it does not hold."""
    first_start = cluster.first_events("started")
    completion = cluster.first_events("completed")
    by_firm: dict[str, list[str]] = {}
    for export_id, firm in accepted.items():
        by_firm.setdefault(firm, []).append(export_id)
    margins, starved = [], []
    for firm, mine in by_firm.items():
        began = min(first_start[i] for i in mine)
        for other, theirs in by_firm.items():
            if other != firm:
                last = max(completion[i] for i in theirs)
                margins.append((last - began).total_seconds())
                if began >= last:
                    starved.append(f"{firm} started only after all of {other}'s had finished")
    return min(margins), starved
