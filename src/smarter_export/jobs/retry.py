"""How long to wait before another try (which failures are worth one: `errors.classify`)."""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [c/2, c], c = min(cap, base * 2**(attempt-1)).

    Half the ceiling at least, so that a retry never comes at once and hammers what just failed.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)
