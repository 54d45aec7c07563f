"""The one clock of the service: aware UTC datetimes for every row and event it writes."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
