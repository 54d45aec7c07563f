"""Chaos on the scaled-out service: every export still ends, once, within its limits.

Two APIs and three workers on PostgreSQL, Redis and S3. Exports from ten firms are asked for
while, for about a minute, workers and an API are SIGKILLed at random, random exports are
cancelled, Redis is restarted once with the queue in it, and one export is poison: whichever
worker runs it dies (the harness plays the kernel's OOM killer, SIGKILLing the worker holding
it as soon as it starts; nothing in the service knows which export that is, so nothing test-only
ships). At the end every export is finished (completed, failed or cancelled), none completed
twice, no export used more than its attempts, the poison export failed saying why, and every
completed file downloads through its link with its SHA-256.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.scale.cluster import Cluster, open_cluster
from tests.scale.report import REPORTS
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Server
from tests.servers.stack import ScaledStack

pytestmark = pytest.mark.slow

FIRMS = ["demo", *(f"firm-{n}" for n in range(2, 11))]
SOURCES = ["matters", "clients", "timekeepers", "invoices", "time_entries"]
FORMATS = ["csv", "excel", "pdf"]
MAX_ATTEMPTS = 4
LEASE_SECONDS = 5
REAPER_SECONDS = 1
TIME_LIMIT_SECONDS = 120
CHAOS_SECONDS = 40
FINISHED = ("completed", "failed", "cancelled", "expired")  # expired: a cancel came too late


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
        SMARTER_EXPORT_LEASE_SECONDS=str(LEASE_SECONDS),
        SMARTER_EXPORT_REAPER_INTERVAL_SECONDS=str(REAPER_SECONDS),
        SMARTER_EXPORT_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
        SMARTER_EXPORT_JOB_TIME_LIMIT_SECONDS=str(TIME_LIMIT_SECONDS),
        SMARTER_EXPORT_RETRY_BACKOFF_SECONDS="0.2",
        SMARTER_EXPORT_RETRY_BACKOFF_MAX_SECONDS="2",
        SMARTER_EXPORT_MAX_RUNNING_PER_TENANT="3",
    )


class Requests:
    """Exports asked for over HTTP, to whichever API answers (one may be down)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.tokens = {
            firm: cluster.service.token(tenant=firm, user=f"chaos-{firm}") for firm in FIRMS
        }
        self.firm_of: dict[str, str] = {}
        self.refused_while_down = 0
        self.turn = itertools.count()

    def call(self, firm: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        first = next(self.turn)  # the APIs take turns, as behind a load balancer
        for attempt in range(40):
            with self.cluster.api_client(first + attempt, self.tokens[firm]) as client:
                try:
                    return client.request(method, path, **kwargs)  # type: ignore[arg-type]
                except httpx.TransportError:
                    self.refused_while_down += 1
                    time.sleep(0.25)
        raise AssertionError(f"no API answered {method} {path}")

    def create(self, firm: str, source: str, format_name: str, key: str) -> str:
        answer = self.call(
            firm,
            "POST",
            f"/api/v1/export/{format_name}",
            json={"dataSource": source},
            headers={"Idempotency-Key": key},  # a retry after a killed API is the same export
        )
        assert answer.status_code in (200, 202), answer.text
        export_id: str = answer.json()["data"]["exportId"]
        self.firm_of[export_id] = firm
        return export_id

    def cancel(self, export_id: str) -> None:
        answer = self.call(self.firm_of[export_id], "DELETE", f"/api/v1/export/{export_id}")
        assert answer.status_code == 200, answer.text


class Poller(threading.Thread):
    """Status reads all along, as the Export Center makes them: some are in flight on the API
    that gets killed, and go to the other one."""

    def __init__(self, requests: Requests, made: list[str], rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.requests = requests
        self.made = made
        self.rng = rng
        self.reads = 0
        self.bad: list[str] = []  # answers other than 200, checked by the test
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.02):
            export_id = self.rng.choice(self.made)
            firm = self.requests.firm_of[export_id]
            try:
                answer = self.requests.call(firm, "GET", f"/api/v1/export/status/{export_id}")
            except AssertionError as error:
                self.bad.append(str(error))
                continue
            if answer.status_code != 200:
                self.bad.append(answer.text)
            self.reads += 1


class PoisonKiller(threading.Thread):
    """Plays the OOM killer: the worker that holds the poison export dies, every time."""

    def __init__(self, cluster: Cluster, export_id: str) -> None:
        super().__init__(daemon=True)
        self.cluster = cluster
        self.export_id = export_id
        self.kills = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.05):
            job = self.cluster.jobs([self.export_id])[self.export_id]
            if job.status in FINISHED:
                return
            if job.status == "processing" and job.lease_owner:
                pid = int(str(job.lease_owner).split(":")[1])
                if self.cluster.kill_worker(pid, "poison export killed its worker"):
                    self.kills += 1


def test_chaos_every_export_ends_once_within_its_limits(cluster: Cluster) -> None:
    seed = int(os.environ.get("CHAOS_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    requests = Requests(cluster)
    wanted = [(firm, source, fmt) for firm in FIRMS for source in SOURCES for fmt in FORMATS]
    rng.shuffle(wanted)
    started = time.monotonic()
    poison = requests.create("demo", "time_entries", "excel", "poison")
    killer = PoisonKiller(cluster, poison)
    killer.start()
    made = [requests.create(*wanted[n], f"chaos-{n}") for n in range(40)]
    poller = Poller(requests, list(made), random.Random(seed + 1))
    poller.start()

    cancelled_asked: set[str] = set()
    # Each fault at least once, at a random moment of its own third of the chaos; then more of
    # them at random between.
    scheduled = {
        "redis": rng.uniform(0.1, 0.33) * CHAOS_SECONDS,
        "worker": rng.uniform(0.33, 0.66) * CHAOS_SECONDS,
        "api": rng.uniform(0.5, 0.9) * CHAOS_SECONDS,
        "cancel": rng.uniform(0.1, 0.9) * CHAOS_SECONDS,
    }
    next_request = 40
    # On a loaded machine a fault (a Redis restart, an API respawn) can take seconds, and faults
    # due together go one per round: the chaos lasts until each has happened at least once.
    while time.monotonic() - started < CHAOS_SECONDS or scheduled:
        time.sleep(rng.uniform(0.3, 1.0))
        now = time.monotonic() - started
        due = [name for name, at in scheduled.items() if at <= now]
        roll = rng.random()
        fault = (
            due[0]
            if due
            else "worker"
            if roll < 0.2
            else "api"
            if roll < 0.3
            else ("cancel" if roll < 0.6 else None)
        )
        scheduled.pop(fault or "", None)
        if fault == "redis":
            cluster.restart_redis()
        elif fault == "worker":
            # Mid-export when one runs (not the poison one: it has its own killer).
            holders = {
                int(str(job.lease_owner).split(":")[1])
                for job in cluster.running(min_rows=1, source=None)
                if job.id != poison and job.lease_owner
            }
            pids = sorted(holders & set(cluster.workers)) or sorted(cluster.workers)
            cluster.kill_worker(rng.choice(pids), "worker SIGKILL at random")
        elif fault == "api":
            cluster.kill_api(1)
        elif fault == "cancel":
            unfinished = [
                i for i, j in cluster.jobs(made).items() if j.status in ("pending", "processing")
            ]
            if not unfinished:  # everything finished already: cancel a fresh one instead
                made.append(requests.create(*wanted[0], f"chaos-cancel-{len(made)}"))
                unfinished = [made[-1]]
            victim = rng.choice(unfinished)
            requests.cancel(victim)
            cancelled_asked.add(victim)
            cluster.fault("cancel at random")
        if next_request < len(wanted):
            made.append(requests.create(*wanted[next_request], f"chaos-{next_request}"))
            next_request += 1
    chaos_seconds = time.monotonic() - started

    everyone = [poison, *made]
    deadline = time.monotonic() + TIME_LIMIT_SECONDS + 4 * LEASE_SECONDS
    while time.monotonic() < deadline:
        jobs = cluster.jobs(everyone)
        if all(job.status in FINISHED for job in jobs.values()):
            break
        time.sleep(0.5)
    killer.stopping.set()
    poller.stopping.set()
    drained_seconds = time.monotonic() - started
    jobs = cluster.jobs(everyone)
    completed_events = cluster.event_counts("completed")
    outcomes = {status: sum(j.status == status for j in jobs.values()) for status in FINISHED}
    unfinished = [(i, j.status) for i, j in jobs.items() if j.status not in FINISHED]
    twice = [i for i in everyone if completed_events.get(i, 0) > 1]
    over_attempts = [(i, j.attempts) for i, j in jobs.items() if j.attempts > MAX_ATTEMPTS]
    # No export outlives its time limit plus one lease (and a reaper's sweep to notice).
    bound = timedelta(seconds=TIME_LIMIT_SECONDS + LEASE_SECONDS + 2 * REAPER_SECONDS)
    too_long = [
        i
        for i, j in jobs.items()
        if j.first_started_at and j.completed_at and j.completed_at - j.first_started_at > bound
    ]
    completed = [i for i, j in jobs.items() if j.status == "completed"]
    verified = cluster.download_and_verify(requests.firm_of, requests.tokens, completed)
    failed_codes: dict[str, int] = {}
    for job in jobs.values():
        if job.status == "failed":
            failed_codes[job.error_code] = failed_codes.get(job.error_code, 0) + 1
    REPORTS["scale: chaos (2 APIs, 3 workers, PostgreSQL + Redis + S3)"] = [
        f"seed {seed} (CHAOS_SEED={seed} replays the same choices)",
        f"exports asked for: {len(everyone)} from {len(FIRMS)} firms, one of them poison;"
        f" chaos for {chaos_seconds:.0f} s, all finished {drained_seconds:.0f} s after the first",
        "faults: " + ", ".join(f"{name} x{n}" for name, n in sorted(cluster.faults.items())),
        f"  status reads during the chaos: {poller.reads}; requests that found an API down"
        f" and went to the other: {requests.refused_while_down}",
        "outcomes: "
        + ", ".join(f"{status} {n}" for status, n in outcomes.items())
        + " (failed: "
        + ", ".join(f"{c} {n}" for c, n in sorted(failed_codes.items()))
        + ")",
        f"cancels asked: {len(cancelled_asked)}"
        f" ({sum(jobs[i].status == 'cancelled' for i in cancelled_asked)} ended cancelled,"
        " the others had finished first: their file was deleted, status expired)",
        f"poison export: {jobs[poison].status} after {jobs[poison].attempts} attempts,"
        f" {killer.kills} workers killed; '{jobs[poison].error_message}'",
        f"attempts: max {max(j.attempts for j in jobs.values())} (limit {MAX_ATTEMPTS});"
        f" completed twice: {len(twice)}; unfinished: {len(unfinished)}",
        f"completed files downloaded through the 307, SHA-256 matching: {verified} of {len(completed)}",
    ]
    assert not unfinished, (unfinished, cluster.service.logs()[-3000:])
    assert not poller.bad, poller.bad[:3]
    assert not twice
    assert all(completed_events.get(i) == 1 for i in completed)
    assert not over_attempts, over_attempts
    assert not too_long, too_long
    assert jobs[poison].status == "failed", jobs[poison]
    assert jobs[poison].error_code == "worker_stopped"
    assert f"stopped {MAX_ATTEMPTS} times" in str(jobs[poison].error_message)
    assert jobs[poison].attempts == MAX_ATTEMPTS
    assert verified == len(completed) > 0
    # A cancel asked of an unfinished export wins, even one that was about to complete; one
    # that finished in between has its file deleted (expired). None completed after a cancel.
    assert cancelled_asked and all(
        jobs[i].status in ("cancelled", "expired") for i in cancelled_asked
    ), [(i, jobs[i].status) for i in cancelled_asked]
    assert not scheduled, f"faults never injected: {scheduled}"
    assert cluster.faults["Redis restarted (queue emptied)"] == 1
