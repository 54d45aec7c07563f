"""5-field cron expressions judged in an IANA zone (cronsim: Debian cron's rules, DST included).

Every time handed in or out is an aware datetime; the zone only decides which instants match.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from smarter_export.errors import ValidationFailed

MAX_CRON = 100
# Enough firings to meet every gap of a daily or weekly pattern; a rarer short gap is still held
# to the interval by the sweep, which fires a due time at most once and then looks forward.
GAPS_CHECKED = 200


def next_after(cron: str, zone: str, moment: datetime) -> datetime:
    """The first firing strictly after `moment`, in UTC."""
    return next(CronSim(cron, moment.astimezone(ZoneInfo(zone)))).astimezone(UTC)


def latest_due(cron: str, zone: str, now: datetime) -> datetime:
    """The last firing at or before `now`, in UTC: after an outage, the one run that is owed."""
    start = now.astimezone(ZoneInfo(zone)).replace(microsecond=0) + timedelta(seconds=1)
    return next(CronSim(cron, start, reverse=True)).astimezone(UTC)


def valid_cron(value: object, zone: str, *, min_interval_seconds: int, now: datetime) -> str:
    """The expression, if it is 5 fields cronsim reads and fires no more often than allowed."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CRON:
        raise ValidationFailed.one("cron", "give a 5-field cron expression such as '0 7 1 * *'")
    cron = " ".join(value.split())
    if len(cron.split(" ")) != 5:
        raise ValidationFailed.one("cron", "give 5 fields: minute hour day-of-month month weekday")
    try:
        firings = CronSim(cron, now.astimezone(ZoneInfo(zone)))
        previous = next(firings)
        for _ in range(GAPS_CHECKED):
            following = next(firings)
            if (following - previous).total_seconds() < min_interval_seconds:
                raise ValidationFailed.one(
                    "cron",
                    f"fires more often than every {min_interval_seconds // 60} minutes "
                    f"({previous:%Y-%m-%d %H:%M} then {following:%H:%M})",
                )
            previous = following
    except (CronSimError, StopIteration) as error:
        raise ValidationFailed.one("cron", f"not a cron expression we can read: {error}") from None
    return cron
