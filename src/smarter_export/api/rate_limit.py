"""Rate limits on export creation, per user and per firm, in moving windows (`limits`).

Counters live in this process by default and in Redis when the queue is Redis, so many API
processes share them. Every creation answer carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` for the tightest window; a refusal is a 429 with `Retry-After` as well.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from smarter_export.auth.principal import Principal
from smarter_export.errors import TooManyRequests
from smarter_export.log import get_logger
from smarter_export.settings import Settings

log = get_logger("smarter_export.rate_limit")


@dataclass(frozen=True)
class Window:
    """Where one counter stands: its limit, what is left, and seconds until room frees up."""

    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class CreationLimiter:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(
            storage_from_string(settings.resolved_rate_limit_storage_url)
        )
        self._per_user = parse_many(settings.rate_limit_per_user)
        self._per_tenant = parse_many(settings.rate_limit_per_tenant)

    def take(self, principal: Principal) -> dict[str, str]:
        """Count one creation, or raise TooManyRequests; returns the headers to answer with."""
        user = ("user", principal.tenant_id, principal.user_id)
        tenant = ("tenant", principal.tenant_id)
        counters: list[tuple[RateLimitItem, tuple[str, ...]]] = [
            *((item, user) for item in self._per_user),
            *((item, tenant) for item in self._per_tenant),
        ]
        try:
            refused = [c for c in counters if not self._limiter.test(c[0], *c[1])]
            if not refused:
                refused = [c for c in counters if not self._limiter.hit(c[0], *c[1])]
            windows = {c: self._window(*c) for c in counters}
        except Exception as error:  # the counters' store is down: serve rather than refuse all
            log.error("rate_limit.unavailable", error=repr(error))
            return {}
        if not refused:
            tightest = min(windows.values(), key=lambda w: (w.remaining, -w.reset_seconds))
            return tightest.headers()
        item, keys = refused[0]
        window = windows[refused[0]]
        who = "you" if keys[0] == "user" else "your firm"
        log.warning("rate_limit.refused", tenant_id=principal.tenant_id, scope=keys[0])
        raise TooManyRequests(
            f"Too many export requests: {who} may make {_describe(item)}; "
            f"try again in {window.reset_seconds} s.",
            headers={**window.headers(), "Retry-After": str(window.reset_seconds)},
        )

    def _window(self, item: RateLimitItem, keys: tuple[str, ...]) -> Window:
        stats = self._limiter.get_window_stats(item, *keys)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Window(limit=item.amount, remaining=max(0, stats.remaining), reset_seconds=reset)


def _describe(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    per = f"{item.multiples} {unit}s" if item.multiples > 1 else unit
    return f"{item.amount} per {per}"
