"""Turning a request (firm, source, format, raw parameters) into a validated export plan.

Shared by the one-shot CLI export and the service, so both validate exactly alike; the engine
runs the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from smarter_export.domain.tenants import Firm
from smarter_export.formats.base import ExportFormat, ExportWriter, RowCap
from smarter_export.formats.options import OPTIONS_KEY, FormatOptions
from smarter_export.formats.registry import FORMATS, find_format
from smarter_export.settings import Settings
from smarter_export.sources.base import DataSource, ExportQuery, Scope
from smarter_export.sources.registry import get_source
from smarter_export.tabular import ExportInfo, TableSpec


@dataclass(frozen=True)
class RowLimit:
    """How many rows the file may hold: the format's cap, what it counts, what else holds more."""

    rows: int
    counts: RowCap
    format_title: str  # "PDF"
    larger_formats: tuple[str, ...] = ()  # titles of formats with a higher cap: "CSV", "Excel"


@dataclass(frozen=True)
class ExportPlan:
    """Everything an export needs, decided before it starts."""

    source: DataSource
    scope: Scope
    query: ExportQuery
    info: ExportInfo
    format: ExportFormat[Any]
    format_options: FormatOptions  # validated: what the writer was made with
    writer: ExportWriter
    tables: tuple[TableSpec, ...]  # the main table first, then its child tables
    row_limit: RowLimit
    batch_size: int = 5_000

    @property
    def format_name(self) -> str:
        return self.format.name

    @property
    def file_extension(self) -> str:
        return self.format.file_for(self.tables, self.format_options).extension

    @property
    def content_type(self) -> str:
        return self.format.file_for(self.tables, self.format_options).content_type

    def frozen(self) -> dict[str, Any]:
        """The request as plain JSON that `plan_export` turns back into this very plan: the
        query, and the format's options under their own key."""
        return {**self.query.frozen(), OPTIONS_KEY: self.format_options.frozen()}


def plan_export(
    settings: Settings,
    *,
    firm: Firm,
    source_name: str,
    format_name: str,
    params: Mapping[str, object],
    requested_by: str,
    include_confidential: bool = False,
    timezone: str | None = None,
    now: datetime | None = None,
) -> ExportPlan:
    export_format = find_format(format_name)
    source = export_format.source_for(get_source(source_name))
    # The format's options travel apart from the source's filters.
    filters = dict(params)
    format_options = export_format.parse_options(filters.pop(OPTIONS_KEY, None))
    query = source.parse(filters, settings)
    zone = timezone or firm.timezone
    generated_at = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone))
    info = ExportInfo(
        title=source.title_for(query),
        source=source.name,
        firm_name=firm.name,
        generated_at=generated_at,
        generated_by=requested_by,
        currency=firm.currency,
        timezone=zone,
        filters=query.filters.described(),
        notes=source.notes(query),
    )
    scope = Scope(firm.id, include_confidential=include_confidential)
    children = source.child_tables(scope, query)
    return ExportPlan(
        source=source,
        scope=scope,
        query=query,
        info=info,
        format=export_format,
        format_options=format_options,
        # Rows that are records stream; aggregates (which count no withheld rows) are small.
        writer=export_format.writer_for(
            settings, format_options, aggregate=not source.counts_withheld_rows
        ),
        tables=(source.table_spec(query), *(child.spec for child in children)),
        row_limit=row_limit(settings, export_format),
        batch_size=export_format.batch_size(settings),
    )


def row_limit(settings: Settings, export_format: ExportFormat[Any]) -> RowLimit:
    cap = export_format.row_cap(settings)
    return RowLimit(
        rows=cap,
        counts=export_format.row_cap_counts,
        format_title=export_format.title,
        larger_formats=tuple(
            f.title for f in FORMATS if f.row_cap(settings) > cap and not f.sources
        ),
    )
