"""The shapes of the HTTP contract (DESIGN.md), as Pydantic models for validation and OpenAPI."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from smarter_export.formats.registry import format_names
from smarter_export.sources.registry import SOURCES

T = TypeVar("T")


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ProgressView(Camel):
    percent: float
    rows_processed: int
    rows_total: int | None
    phase: str | None = Field(
        None,
        description="Of a running export: writing (the rows), finishing (the writer closes the "
        "file), uploading (to the file storage); null otherwise.",
    )


class FileView(Camel):
    name: str
    size_bytes: int
    sha256: str
    content_type: str


class ErrorView(Camel):
    code: str
    message: str


class ExportView(Camel):
    export_id: str
    status: Literal["pending", "processing", "completed", "failed", "cancelled", "expired"]
    data_source: str = Field(json_schema_extra={"enum": list(SOURCES)})
    format: str = Field(json_schema_extra={"enum": list(format_names())})
    status_url: str
    progress: ProgressView
    estimated_completion_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime | None
    attempts: int
    cancel_requested: bool
    download_url: str | None = Field(None, description="Signed; needs no header; expires.")
    file: FileView | None
    partial: bool
    warnings: list[str]
    error: ErrorView | None
    parameters: dict[str, Any]
    schedule_id: str | None = Field(None, description="The schedule that made this export.")
    chart_url: str | None = Field(
        None, description="Of a completed analytics export with a chart: its figures, to preview."
    )


class PageView(Camel):
    page: int
    page_size: int
    total: int


class ExportListView(Camel):
    exports: list[ExportView]
    pagination: PageView


class ColumnView(Camel):
    name: str
    label: str
    type: str
    default: bool


class FilterView(Camel):
    name: str
    type: str
    required: bool
    description: str | None
    choices: list[str] | None
    choices_url: str | None = Field(
        None, description="For an id filter: where to fetch the firm's records to pick from."
    )
    default: Any = Field(None, description="Used when the filter is not given (null: none).")


class MetricView(Camel):
    """A metric of the analytics source: its definition, groupings and the columns of its rows
    (after the group's own column, named after the grouping)."""

    name: str
    title: str
    definition: str
    group_by: list[str]
    columns: list[ColumnView]


class SourceView(Camel):
    name: str
    title: str
    description: str
    columns: list[ColumnView]
    filters: list[FilterView]
    default_sort: list[str]
    child_tables: list[str]
    metrics: list[MetricView] = Field(
        default_factory=list, description="analytics only: the metrics to choose with `metric`"
    )


class FormatOptionView(Camel):
    name: str
    type: str  # "choice", "boolean", "integer", "string", as a filter's
    description: str | None
    choices: list[str] | None
    default: Any = Field(description="Used when the option is not given.")


class FormatView(Camel):
    name: str = Field(description="The name in `POST /api/v1/export/{format}` and `--format`.")
    title: str
    aliases: list[str]
    extension: str = Field(description="Of the file with one table: '.csv'.")
    content_type: str
    several_tables_extension: str | None = Field(
        description="Of the file when the source has child tables: '.zip'."
    )
    sources: list[str] = Field(
        description="The only data sources it writes ('ledes': invoices); empty for every one."
    )
    options: list[FormatOptionView]
    options_schema: dict[str, Any] = Field(description="The JSON schema of `options`.")
    fixed_columns: bool = Field(
        description="Its fields and their order are a standard's ('ledes'): `columns` is refused."
    )


class ChoiceView(Camel):
    value: str
    label: str


class ChoicesView(Camel):
    filter: str
    choices: list[ChoiceView]
    truncated: bool = Field(description="More records than listed: an id may be typed as well.")


class EventView(Camel):
    event: str
    actor: str | None
    client_address: str | None
    user_agent: str | None
    details: dict[str, Any]
    created_at: datetime


class Envelope(BaseModel, Generic[T]):
    data: T


class FieldErrorView(BaseModel):
    field: str
    message: str


class ErrorBody(Camel):
    code: str
    message: str
    details: list[FieldErrorView] = Field(default_factory=list)
    request_id: str
    timestamp: datetime


class ErrorEnvelope(BaseModel):
    error: ErrorBody
