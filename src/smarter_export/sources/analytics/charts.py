"""Which chart shows a metric best, by its grouping: the one place that choice is made.

- over months, any metric: its headline figure as a line over time;
- utilization: billable hours as bars, each against the group's target hours;
- accounts receivable aging: the open balance of each group in stacked age buckets;
- matter profitability: profit as bars, only the most and least profitable matters when many;
- every other metric (realization, collection, billable mix, effective rate): its ratio as bars.

A firm-wide grouping is one group, which no chart helps to read; the total row is left out of
every chart. A chart needs its columns among those exported: without them there is none.
"""

from __future__ import annotations

from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import GROUP_COLUMNS, TOTAL_LABEL
from smarter_export.sources.analytics.model import Metric
from smarter_export.tabular import ChartKind, ChartSpec, ColumnKind, ExportColumn

AGING_BUCKETS = ("current", "days1To30", "days31To60", "days61To90", "days91To120", "over120")
EXTREME_MATTERS = 10  # matters shown at each end of the profitability chart

_UNITS = {ColumnKind.PERCENT: "Percent", ColumnKind.MONEY: "Amount", ColumnKind.DECIMAL: "Hours"}


def chart_for(
    metric: Metric, filters: AnalyticsFilters, exported: tuple[str, ...]
) -> ChartSpec | None:
    """The metric's chart over the exported columns, or None (asked not to, or nothing to draw)."""
    dimension = filters.dimension
    if not filters.chart or dimension == "firm":
        return None
    figures = {figure.column.name: figure.column for figure in metric.figures}
    group = GROUP_COLUMNS[dimension]
    if metric.name == "ar_aging":
        period = f"as of {filters.date_to.isoformat()}"
    else:
        period = f"{filters.date_from.isoformat()} to {filters.date_to.isoformat()}"
    title = f"{metric.title} by {group.label.lower()}, {period}"
    headline = metric.figures[-1].column
    kind, target, extremes = ChartKind.BARS, None, 0
    values: tuple[str, ...] = (headline.name,)
    if dimension == "month":
        kind = ChartKind.LINE
    elif metric.name == "ar_aging":
        kind, values = ChartKind.STACKED, AGING_BUCKETS
    elif metric.name == "utilization":
        values, target = ("billableHours",), "targetHours"
        title = f"Billable hours against target by {group.label.lower()}, {period}"
    elif metric.name == "matter_profitability":
        values, extremes = ("profit",), EXTREME_MATTERS
    if group.name not in exported or not set(values) <= set(exported):
        return None
    return ChartSpec(
        kind=kind,
        title=title,
        category=group.name,
        values=values,
        axis_title=_axis_title(figures[values[0]]),
        target=target if target in exported else None,
        leave_out=TOTAL_LABEL,
        extremes=extremes,
    )


def _axis_title(column: ExportColumn) -> str:
    if column.kind == ColumnKind.PERCENT:
        return f"{column.label} (percent)"
    return _UNITS.get(column.kind, column.label)
