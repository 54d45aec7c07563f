"""Rate limits per user and per firm, a flood of creations, and each firm's fair share."""

from __future__ import annotations

import itertools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from limits import parse_many

from smarter_export.api.rate_limit import CreationLimiter
from smarter_export.auth.principal import Principal
from smarter_export.errors import TooManyRequests
from smarter_export.settings import Settings
from tests.live import LiveFactory, free_port
from tests.security.conftest import Tally
from tests.servers.redis import RedisServer, find_redis_server


def create(client: httpx.Client, n: int, source: str = "matters") -> httpx.Response:
    return client.post(
        "/api/v1/export/csv", json={"dataSource": source, "fileName": f"request {n}"}
    )


def test_limits_per_user_and_per_firm_answer_429_with_retry_after(
    live: LiveFactory, hostile: Tally
) -> None:
    service = live(
        "limits",
        SMARTER_EXPORT_RATE_LIMIT_PER_USER="5/minute",
        SMARTER_EXPORT_RATE_LIMIT_PER_TENANT="8/minute",
    )
    service.start_api(worker=False)
    first = service.client(service.token(user="first"))
    second = service.client(service.token(user="second"))
    elsewhere = service.client(service.token(tenant="firm-2", user="first"))

    remaining = []
    for n in range(5):
        answer = create(first, n)
        assert answer.status_code == 202, answer.text
        assert answer.headers["RateLimit-Limit"] == "5"
        remaining.append(int(answer.headers["RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    refused = create(first, 5)
    error = hostile.refused_with(refused, 429, attack="sixth creation in a minute")
    assert error["code"] == "rate_limited" and "you may make 5 per minute" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"

    # A colleague has their own allowance, until the firm's is spent (8 = 5 + 3).
    for n in range(3):
        assert create(second, n).status_code == 202
    firm_full = hostile.refused_with(create(second, 3), 429, attack="firm over its limit")
    assert "your firm" in firm_full["message"]
    # Another firm is not touched by this firm's traffic.
    assert create(elsewhere, 0).status_code == 202
    # Refused requests created nothing.
    listed = first.get("/api/v1/export", params={"pageSize": 100}).json()["data"]
    assert listed["pagination"]["total"] == 8


def test_a_thousand_rapid_creations_are_limited_and_nothing_is_lost(
    live: LiveFactory, hostile: Tally
) -> None:
    service = live(
        "flood",
        SMARTER_EXPORT_RATE_LIMIT_PER_USER="6/minute",
        SMARTER_EXPORT_RATE_LIMIT_PER_TENANT="20/minute",
    )
    service.start_api()
    users = [(tenant, f"user-{i}") for tenant in ("demo", "firm-2") for i in range(5)]
    clients = [service.client(service.token(tenant=t, user=u)) for t, u in users]
    sources = itertools.cycle(["matters", "clients", "timekeepers"])
    jobs = [(clients[n % len(clients)], n, next(sources)) for n in range(1_000)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda job: create(*job), jobs))
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {202, 429}, statuses  # no 500, nothing else
    accepted = [a.json()["data"]["exportId"] for a in answers if a.status_code == 202]
    assert 0 < len(accepted) <= 2 * 20
    assert len(set(accepted)) == len(accepted)
    for answer in answers:
        if answer.status_code == 429:
            hostile.refused_with(answer, 429, attack="flood")
    # Every accepted export finishes, once; the refused ones left no trace.
    owners = {a.json()["data"]["exportId"]: job[0] for a, job in zip(answers, jobs, strict=True)
              if a.status_code == 202}  # fmt: skip
    for export_id, owner in owners.items():
        done = service.wait_for(owner, export_id, ("completed", "failed"), timeout=120)
        assert done["status"] == "completed", done
    totals = [
        c.get("/api/v1/export", params={"pageSize": 1}).json()["data"]["pagination"]["total"]
        for c in (clients[0], clients[5])
    ]
    assert sum(totals) == len(accepted)


def test_one_firm_runs_at_most_its_share_and_others_are_not_kept_waiting(
    live: LiveFactory,
) -> None:
    service = live(
        "fair",
        SMARTER_EXPORT_MAX_RUNNING_PER_TENANT="1",
        SMARTER_EXPORT_WORKERS="2",
        SMARTER_EXPORT_FAIR_SHARE_WAIT_SECONDS="0.2",
        SMARTER_EXPORT_BATCH_SIZE="100",
    )
    service.start_api()
    busy = service.client(service.token(tenant="demo", user="busy"))
    other = service.client(service.token(tenant="firm-2", user="other"))
    body = {"dataSource": "time_entries"}
    queued = [
        busy.post("/api/v1/export/pdf", json={**body, "fileName": f"n{n}"}).json()["data"][
            "exportId"
        ]
        for n in range(4)
    ]
    theirs = other.post("/api/v1/export/pdf", json=body).json()["data"]["exportId"]
    finished = [service.wait_for(busy, e, ("completed",), timeout=180) for e in queued]
    other_done = service.wait_for(other, theirs, ("completed",), timeout=180)
    spans = sorted((when(f, "startedAt"), when(f, "completedAt")) for f in finished)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, "two exports of one firm ran at once, past its share of 1"
    # The other firm's export, asked for last, did not wait for all of the busy firm's.
    assert when(other_done, "completedAt") < spans[-1][1]


def when(export: dict[str, object], field: str) -> datetime:
    return datetime.fromisoformat(str(export[field]))


def test_repeats_and_idempotency_keys_return_the_existing_export(
    live: LiveFactory, hostile: Tally
) -> None:
    service = live("repeats")
    service.start_api(worker=False)  # nothing runs: requests stay pending
    alice = service.client(service.token(user="alice"))
    bob = service.client(service.token(user="bob"))
    body = {"dataSource": "matters", "status": "active"}

    first = alice.post("/api/v1/export/csv", json=body)
    again = alice.post("/api/v1/export/csv", json=body)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["data"]["exportId"] == first.json()["data"]["exportId"]
    # Another user asking the same is another export; so is a different request.
    assert bob.post("/api/v1/export/csv", json=body).status_code == 202
    assert alice.post("/api/v1/export/csv", json={**body, "status": "closed"}).status_code == 202

    keyed = {"Idempotency-Key": "quarter-end-2024-q1"}
    made = alice.post("/api/v1/export/excel", json={"dataSource": "clients"}, headers=keyed)
    retried = alice.post("/api/v1/export/excel", json={"dataSource": "clients"}, headers=keyed)
    assert (made.status_code, retried.status_code) == (202, 200)
    assert retried.json()["data"]["exportId"] == made.json()["data"]["exportId"]
    # The same key for a different request is a mistake, said plainly, not a silent answer.
    misused = alice.post("/api/v1/export/csv", json={"dataSource": "timekeepers"}, headers=keyed)
    error = hostile.refused_with(misused, 400, attack="idempotency key re-used for another body")
    assert error["details"][0]["field"] == "Idempotency-Key"
    for bad in ("", "x" * 201, "tab\there"):
        answer = alice.post("/api/v1/export/csv", json=body, headers={"Idempotency-Key": bad})
        hostile.refused_with(answer, 400, attack=f"bad idempotency key {bad[:10]!r}")
    total = alice.get("/api/v1/export", params={"pageSize": 1}).json()["data"]["pagination"]
    assert total["total"] == 4


def test_counters_live_in_redis_when_the_queue_does(tmp_path: Path) -> None:
    """Two API processes (two limiters, each its own connection) count against one limit."""
    program = find_redis_server()
    if program is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    redis = RedisServer(program)
    redis.start()
    try:
        settings = Settings(data_dir=tmp_path, queue_url=redis.url, rate_limit_per_user="3/minute")
        assert settings.resolved_rate_limit_storage_url == redis.url
        first, second = CreationLimiter(settings), CreationLimiter(settings)
        caller = Principal("ada", "firm-1", "user", frozenset())
        answers = [first.take(caller), second.take(caller), first.take(caller)]
        assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
        with pytest.raises(TooManyRequests) as refused:
            second.take(caller)
        assert int(refused.value.headers["Retry-After"]) >= 1
    finally:
        redis.close()


def test_unreachable_counters_serve_rather_than_refuse_everyone(tmp_path: Path) -> None:
    """The README's promise: a Redis that is down must not turn every creation into an error."""
    settings = Settings(
        data_dir=tmp_path,
        rate_limit_storage_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        rate_limit_per_user="1/minute",
    )
    limiter = CreationLimiter(settings)
    caller = Principal("ada", "firm-1", "user", frozenset())
    assert limiter.take(caller) == {}
    assert limiter.take(caller) == {}  # past the limit, yet served: nothing is counting


@pytest.mark.parametrize("field", ["rate_limit_per_user", "rate_limit_per_tenant"])
def test_the_default_rate_limits_parse(field: str) -> None:
    """Settings leave their own defaults unparsed (a CLI export need not import `limits`): the
    API would parse them as it starts; here they are parsed as it would."""
    default = Settings.model_fields[field].default
    assert [str(item) for item in parse_many(default)], default
