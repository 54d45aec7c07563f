"""The registry of data sources: the one place that maps a source name to its module."""

from __future__ import annotations

from smarter_export.errors import ValidationFailed
from smarter_export.sources.analytics import Analytics
from smarter_export.sources.base import DataSource
from smarter_export.sources.clients import Clients
from smarter_export.sources.invoices import Invoices
from smarter_export.sources.matters import Matters
from smarter_export.sources.time_entries import TimeEntries
from smarter_export.sources.timekeepers import Timekeepers

SOURCES: dict[str, DataSource] = {
    source.name: source
    for source in (Matters(), Clients(), Timekeepers(), TimeEntries(), Invoices(), Analytics())
}


def get_source(name: str) -> DataSource:
    try:
        return SOURCES[name]
    except KeyError:
        raise ValidationFailed.one(
            "dataSource", f"unknown data source {name!r}; choose one of {', '.join(SOURCES)}"
        ) from None
