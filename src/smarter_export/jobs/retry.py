"""How long to wait before another try (which failures are worth one: `errors.classify`), and
what a message sent at least once (a webhook, an e-mail) does after each attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from smarter_export.settings import Settings


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [c/2, c], c = min(cap, base * 2**(attempt-1)).

    Half the ceiling at least, so that a retry never comes at once and hammers what just failed.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)


class Verdict(Enum):
    DONE = "done"  # it got through: no more tries
    GIVEN_UP = "given_up"  # out of tries: it stays failed, on record
    RETRY = "retry"  # another try at `next_attempt_at`


@dataclass(frozen=True)
class AfterAttempt:
    verdict: Verdict
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class RetryPolicy:
    """A message's tries: at most `max_attempts`, the n-th wait `backoff_seconds(n)`."""

    max_attempts: int
    base_seconds: float
    cap_seconds: float

    @classmethod
    def for_messages(cls, settings: Settings, max_attempts: int) -> RetryPolicy:
        """Webhooks and e-mail: the same waits, each its own number of tries."""
        return cls(
            max_attempts, settings.webhook_backoff_seconds, settings.webhook_backoff_max_seconds
        )

    def after(
        self, attempts: int, *, succeeded: bool, now: datetime, rng: random.Random
    ) -> AfterAttempt:
        """What follows attempt number `attempts` (1 for the first)."""
        if succeeded:
            return AfterAttempt(Verdict.DONE, None)
        if attempts >= self.max_attempts:
            return AfterAttempt(Verdict.GIVEN_UP, None)
        delay = backoff_seconds(attempts, base=self.base_seconds, cap=self.cap_seconds, rng=rng)
        return AfterAttempt(Verdict.RETRY, now + timedelta(seconds=delay))
