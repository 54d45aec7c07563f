"""The figures of an export's chart, kept with the job so the Export Center can preview it.

Taken from the very rows written to the file (the engine hands them over as it streams), and
chosen by the same rule the PDF draws by (`formats/chart_data.py`), so the preview shows what
the file's chart shows, never figures read again later. Only a table with a `ChartSpec` (an
analytics export asked for with its chart) has any; a record export, a firm-wide grouping or
`"chart": false` has none.

A preview is the export's data: it goes only to someone who may take the file now, like the
signed download link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from smarter_export.auth.principal import Principal
from smarter_export.errors import Forbidden, NotFound
from smarter_export.formats.chart_data import ChartData, subtitle
from smarter_export.jobs.records import ExportJob, JobStatus
from smarter_export.tabular import Row, TableSpec


def chart_figures(table: TableSpec, rows: Sequence[Row], currency: str) -> dict[str, Any] | None:
    """The chart of `table` over the `rows` written to the file, as JSON; None without one."""
    spec = table.chart
    if spec is None:
        return None
    data = ChartData.of(spec, table.columns, rows)
    if not data.labels:
        return None
    target_label = next((c.label for c in table.columns if c.name == spec.target), None)
    return {
        "kind": spec.kind.value,
        "title": spec.title,
        "unit": subtitle(data, currency),
        "valueType": data.kind.value,
        "labels": data.labels,
        "series": [{"label": label, "values": values} for label, values in data.series],
        "target": None
        if data.targets is None
        else {"label": target_label or "Target", "values": data.targets},
        "groups": data.shown_of,
    }


def has_preview(job: ExportJob, viewer: Principal) -> bool:
    return (
        job.status is JobStatus.COMPLETED
        and job.chart is not None
        and viewer.may_read(job.source, confidential=job.include_confidential)
    )


def chart_preview(job: ExportJob, viewer: Principal) -> dict[str, Any]:
    """The figures for `viewer`, or why not: none drawn (404), or not theirs to see (403)."""
    if job.status is not JobStatus.COMPLETED or job.chart is None:
        raise NotFound("This export has no chart.")
    if not has_preview(job, viewer):
        raise Forbidden(
            f"The permission to export {job.source} (or to see confidential matters) is not "
            "granted; this export's chart cannot be shown."
        )
    return job.chart
