"""The shapes of the schedule endpoints (/api/v1/export/schedules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from smarter_export.api.schemas import Camel, ExportView
from smarter_export.formats.registry import accepted_format_names
from smarter_export.jobs.periods import PERIODS
from smarter_export.sources.registry import SOURCES


class CreateScheduleBody(Camel):
    """An export body (dataSource, filters, columns, sort, fileName) plus the schedule's own."""

    model_config = ConfigDict(extra="allow", alias_generator=None, populate_by_name=True)

    name: str
    # Enums in the document only (from the registries, so a new format or source appears by
    # itself); the service's own check answers an unknown one with a 400 naming the field.
    format: str = Field(
        description="The file format, as in `POST /{format}`.",
        json_schema_extra={"enum": list(accepted_format_names())},
    )
    dataSource: str = Field(json_schema_extra={"enum": list(SOURCES)})
    cron: str = Field(description="5 fields (minute hour day month weekday), in `timezone`.")
    timezone: str | None = Field(None, description="IANA zone; the firm's by default.")
    period: str | None = Field(
        None,
        json_schema_extra={"enum": [*PERIODS, None]},
        description="previousDay, previousWeek, previousMonth, previousQuarter, previousYear, "
        "monthToDate, quarterToDate, yearToDate, last7Days, last30Days: sets dateFrom/dateTo "
        "at each run.",
    )
    notify: dict[str, Any] | None = Field(None, description='{"emails": [...]}')
    active: bool = True


class LastRunView(Camel):
    due_at: datetime
    outcome: str = Field(description="created, or skipped (see reason)")
    export_id: str | None
    status: str | None = Field(description="The export's status now.")
    reason: str | None


class ScheduleView(Camel):
    schedule_id: str
    name: str
    owner: str
    format: str
    data_source: str | None
    request: dict[str, Any] = Field(description="The export body each run makes.")
    cron: str
    timezone: str
    period: str | None
    notify: dict[str, Any]
    active: bool
    next_run_at: datetime | None
    last_run: LastRunView | None
    created_at: datetime
    updated_at: datetime


class ScheduleRunView(Camel):
    schedule_id: str
    export: ExportView
