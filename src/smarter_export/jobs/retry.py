"""Which failures are worth another try, and how long to wait before it."""

from __future__ import annotations

import random

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from smarter_export.errors import ExportError


def is_transient(error: BaseException) -> bool:
    """Database and storage hiccups are retried; a user's mistake or a bug is not."""
    if isinstance(error, ExportError):
        return error.retryable
    if isinstance(error, OperationalError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    return isinstance(error, ConnectionError | TimeoutError)


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [c/2, c], c = min(cap, base * 2**(attempt-1)).

    Half the ceiling at least, so that a retry never comes at once and hammers what just failed.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)
