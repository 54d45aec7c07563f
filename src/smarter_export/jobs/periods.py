"""Relative periods (`previousMonth`, `last7Days`, ...) made absolute `dateFrom`/`dateTo`.

A period is judged on the calendar of a zone (the export's or the firm's) at one moment: a
one-off export freezes it when it is created, a schedule at each due time. "Last N days" are
the N whole days before today; the "to date" periods end today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

# Where a job's frozen parameters keep the period the request named (its dates are frozen
# beside it): the file's name says "2025-Q3" for a named quarter, and dates for typed ones.
PERIOD_KEY = "period"


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_before(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def _previous_day(today: date) -> tuple[date, date]:
    return today - timedelta(days=1), today - timedelta(days=1)


def _previous_week(today: date) -> tuple[date, date]:  # Monday to Sunday (ISO 8601)
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def _previous_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return _month_before(first), first - timedelta(days=1)


def _previous_quarter(today: date) -> tuple[date, date]:
    start = _quarter_start(today)
    end = start - timedelta(days=1)
    return _quarter_start(end), end


def _previous_year(today: date) -> tuple[date, date]:
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def _last_days(count: int) -> Callable[[date], tuple[date, date]]:
    def period(today: date) -> tuple[date, date]:
        return today - timedelta(days=count), today - timedelta(days=1)

    return period


PERIODS: dict[str, Callable[[date], tuple[date, date]]] = {
    "previousDay": _previous_day,
    "previousWeek": _previous_week,
    "previousMonth": _previous_month,
    "previousQuarter": _previous_quarter,
    "previousYear": _previous_year,
    "monthToDate": lambda today: (today.replace(day=1), today),
    "quarterToDate": lambda today: (_quarter_start(today), today),
    "yearToDate": lambda today: (date(today.year, 1, 1), today),
    "last7Days": _last_days(7),
    "last30Days": _last_days(30),
}


def period_dates(name: str, *, at: datetime, zone: str) -> tuple[date, date]:
    """The first and last day of period `name` as seen at `at` in `zone` (both included)."""
    return PERIODS[name](at.astimezone(ZoneInfo(zone)).date())
