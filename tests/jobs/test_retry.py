"""The one retry policy of messages sent at least once (webhooks, e-mail): exponential waits with
jitter, capped, a fixed number of tries, the same for both."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from smarter_export.jobs.retry import RetryPolicy, Verdict
from smarter_export.settings import Settings

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_each_try_waits_twice_as_long_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=60, cap_seconds=3600)
    rng = random.Random(7)
    for attempt, ceiling in ((1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (9, 3600)):
        waits = [policy.after(attempt, succeeded=False, now=NOW, rng=rng) for _ in range(200)]
        assert {w.verdict for w in waits} == {Verdict.RETRY}
        seconds = [(w.next_attempt_at - NOW).total_seconds() for w in waits if w.next_attempt_at]
        assert len(seconds) == 200
        assert ceiling / 2 <= min(seconds) and max(seconds) <= ceiling
        assert max(seconds) - min(seconds) > ceiling / 4  # jittered, not one instant


def test_a_success_ends_it_and_the_last_try_gives_up() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=10)
    rng = random.Random(1)
    done = policy.after(3, succeeded=True, now=NOW, rng=rng)
    assert (done.verdict, done.next_attempt_at) == (Verdict.DONE, None)
    assert policy.after(2, succeeded=False, now=NOW, rng=rng).verdict is Verdict.RETRY
    given_up = policy.after(3, succeeded=False, now=NOW, rng=rng)
    assert (given_up.verdict, given_up.next_attempt_at) == (Verdict.GIVEN_UP, None)


def test_webhooks_and_mail_retry_over_hours_by_default() -> None:
    settings = Settings(environment="development")
    policy = RetryPolicy.for_messages(settings, settings.webhook_max_attempts)
    longest = sum(
        policy.base_seconds * 2 ** (n - 1) for n in range(1, settings.webhook_max_attempts)
    )
    shortest = longest / 2
    assert timedelta(hours=4) <= timedelta(seconds=shortest)
    assert timedelta(seconds=longest) <= timedelta(hours=9)
    assert settings.webhook_backoff_max_seconds >= policy.base_seconds * 2**8  # cap not reached
