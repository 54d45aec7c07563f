"""Turning jobs and sources into the documented response shapes."""

from __future__ import annotations

from typing import Any

from smarter_export.api.schemas import (
    ColumnView,
    ErrorView,
    ExportView,
    FileView,
    FilterView,
    FormatOptionView,
    FormatView,
    MetricView,
    ProgressView,
    SourceView,
)
from smarter_export.auth.principal import Principal
from smarter_export.formats.base import ExportFormat
from smarter_export.jobs.chart_figures import has_preview
from smarter_export.jobs.downloads import download_file_name
from smarter_export.jobs.eta import estimated_completion, percent
from smarter_export.jobs.periods import PERIODS
from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.jobs.service import ExportService
from smarter_export.sources.base import DataSource
from smarter_export.sources.choices import LOOKUPS
from smarter_export.sources.registry import get_source
from smarter_export.tabular import ExportColumn
from smarter_export.urls import API_PREFIX, download_url, status_url


def export_view(
    job: ExportJob, service: ExportService, base_url: str, viewer: Principal
) -> ExportView:
    """The export as `viewer` sees it: the download link only if they may take the file."""
    completed = job.status is JobStatus.COMPLETED
    file = (
        FileView(
            name=download_file_name(job),
            size_bytes=job.size_bytes or 0,
            sha256=job.sha256 or "",
            content_type=job.content_type or "application/octet-stream",
        )
        if completed and job.file_name
        else None
    )
    error = (
        ErrorView(code=job.error_code, message=job.error_message or "")
        if job.error_code and job.status in (JobStatus.FAILED, JobStatus.PENDING)
        else None
    )
    return ExportView(
        export_id=job.id,
        status=job.status.value,
        data_source=job.source,
        format=job.format,
        status_url=status_url("", job.id),
        progress=ProgressView(
            percent=percent(job),
            rows_processed=job.rows_processed,
            rows_total=job.rows_total,
            phase=job.phase if job.status is JobStatus.PROCESSING else None,
        ),
        estimated_completion_at=estimated_completion(job),
        created_at=job.created_at,
        started_at=job.started_at,
        completed_at=job.completed_at,
        expires_at=job.expires_at,
        attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        download_url=_download_url(job, service, base_url, viewer),
        file=file,
        partial=job.partial,
        warnings=job.warnings,
        error=error,
        parameters=job.parameters,
        schedule_id=job.schedule_id,
        chart_url=f"{API_PREFIX}/{job.id}/chart" if has_preview(job, viewer) else None,
    )


def _download_url(
    job: ExportJob, service: ExportService, base_url: str, viewer: Principal
) -> str | None:
    query = service.download_link_query(job, viewer)
    if query is None:
        return None
    return download_url(service.settings.public_base_url or base_url, job.id, query)


PERIOD_FILTER = FilterView(
    name="period",
    type="choice",
    required=False,
    description="Instead of the dates: a period before the day the export runs, in the firm's "
    "zone (a schedule's: at each run).",
    choices=list(PERIODS),
)


def source_view(source: DataSource) -> SourceView:
    schema = source.filters_model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    filters = [
        FilterView(
            name=name,
            type=_filter_type(spec),
            required=name in required,
            description=spec.get("description"),
            choices=_choices(spec),
            choices_url=f"{API_PREFIX}/choices/{name}" if name in LOOKUPS else None,
            default=spec.get("default"),
        )
        for name, spec in schema.get("properties", {}).items()
    ]
    if "dateFrom" in source.filter_names():
        # A relative period sets dateFrom/dateTo (jobs/prepare.py): offered beside them.
        at = next(i for i, f in enumerate(filters) if f.name == "dateTo") + 1
        filters.insert(at, PERIOD_FILTER)
    return SourceView(
        name=source.name,
        title=source.title,
        description=source.description,
        columns=[_column_view(c.column, c.default) for c in source.source_columns()],
        filters=filters,
        default_sort=[str(key) for key in source.default_sort],
        child_tables=list(source.child_table_names()),
        metrics=[
            MetricView(
                name=metric.name,
                title=metric.title,
                definition=metric.definition,
                group_by=list(metric.group_by),
                columns=[_column_view(column, True) for column in metric.columns],
            )
            for metric in source.metrics()
        ],
    )


def format_view(export_format: ExportFormat[Any]) -> FormatView:
    schema = export_format.options.model_json_schema(by_alias=True)
    defaults = export_format.options().frozen()  # every option has a default
    return FormatView(
        name=export_format.name,
        title=export_format.title,
        aliases=list(export_format.aliases),
        extension=export_format.file.extension,
        content_type=export_format.file.content_type,
        several_tables_extension=(
            export_format.several_tables.extension if export_format.several_tables else None
        ),
        sources=list(export_format.sources),
        options=[
            FormatOptionView(
                name=name,
                type=_filter_type(_resolved(spec, schema)),
                description=spec.get("description"),
                choices=_choices(_resolved(spec, schema)),
                default=defaults.get(name),
            )
            for name, spec in schema.get("properties", {}).items()
        ],
        options_schema=schema,
        fixed_columns=any(
            export_format.source_for(get_source(name)).fixed_columns
            for name in export_format.sources
        ),
    )


def _resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """An option's schema with a `$ref` to a shared definition (an enum) spelled out."""
    reference = spec.get("$ref") or next(
        (v["$ref"] for v in spec.get("allOf", []) if "$ref" in v), None
    )
    if reference is None:
        return spec
    return {**schema.get("$defs", {}).get(reference.rsplit("/", 1)[-1], {}), **spec}


def _column_view(column: ExportColumn, default: bool) -> ColumnView:
    return ColumnView(name=column.name, label=column.label, type=column.kind.value, default=default)


def _variants(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in spec.get("anyOf", [spec]) if v.get("type") != "null"]


def _filter_type(spec: dict[str, Any]) -> str:
    variant = (_variants(spec) or [{}])[0]
    if "enum" in variant:
        return "choice"
    if variant.get("format") == "date":
        return "date"
    return str(variant.get("type", "string"))


def _choices(spec: dict[str, Any]) -> list[str] | None:
    for variant in _variants(spec):
        # A list of fixed values (say, analytics' groupBy) offers the values of its items.
        enum = variant.get("enum") or variant.get("items", {}).get("enum")
        if enum:
            return [str(v) for v in enum]
    return None
