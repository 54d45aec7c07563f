"""Turning a request (firm, source, format, raw parameters) into a validated export plan.

Shared by the one-shot CLI export and the service, so both validate exactly alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from smarter_export.domain.tenants import Firm
from smarter_export.formats.base import ExportWriter
from smarter_export.formats.registry import make_writer
from smarter_export.jobs.engine import ExportPlan
from smarter_export.settings import Settings
from smarter_export.sources.base import Scope
from smarter_export.sources.registry import get_source
from smarter_export.tabular import ExportInfo


@dataclass(frozen=True)
class PlannedExport:
    plan: ExportPlan
    writer: ExportWriter
    format_name: str
    file_extension: str
    content_type: str


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
) -> PlannedExport:
    source = get_source(source_name)
    # Rows that are records stream; aggregates (which count no withheld rows) are small.
    writer = make_writer(format_name, settings, aggregate=not source.counts_withheld_rows)
    query = source.parse(params)
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
    plan = ExportPlan(
        source=source,
        scope=scope,
        query=query,
        info=info,
        max_rows=settings.max_rows_for(writer.format_name),
        batch_size=settings.batch_size,
    )
    tables = (
        source.table_spec(query),
        *(child.spec for child in source.child_tables(scope, query)),
    )
    return PlannedExport(
        plan=plan,
        writer=writer,
        format_name=writer.format_name,
        file_extension=writer.file_extension(tables),
        content_type=writer.content_type(tables),
    )
