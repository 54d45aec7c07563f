"""The analytics data source: one metric, one row per group, and a firm-wide total row last.

The rows come from one statement: the metric's integer facts summed per group, turned into
figures (see `model`), then the same figures over the sums of all groups as the total row (left
out when the rows are already the firm). Nothing is computed in Python.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    cast,
    column,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from smarter_export.sources.analytics.catalog import METRICS
from smarter_export.sources.analytics.charts import chart_for
from smarter_export.sources.analytics.filters import DIMENSIONS, AnalyticsFilters
from smarter_export.sources.analytics.groups import GROUP_COLUMNS, GROUP_ID_COLUMN, TOTAL_LABEL
from smarter_export.sources.analytics.model import Metric, Units
from smarter_export.sources.base import (
    DataSource,
    ExportQuery,
    Filters,
    MetricChoice,
    Scope,
    SortKey,
    SourceColumn,
)
from smarter_export.sources.sql import integer_sum
from smarter_export.tabular import ExportColumn, TableSpec

ROUNDING_NOTE = (
    "Rounding: money is summed in whole cents and time in minutes, and each figure is rounded "
    "once, half away from zero: hours and money to two places, ratios to a tenth of a percent. "
    "By client, month or firm an invoice counts whole; by matter, practice area or timekeeper "
    "(and for realization, over its billed time) its amounts are divided into whole-cent parts "
    "that add up to it exactly (cumulative rounding). The total row is the period's total from "
    "the ledger itself, every invoice and payment counted once to the cent (less parts on "
    "confidential matters when they are not included), not a sum of rounded rows; its ratio "
    "is taken from its own sums. Values of time (hours x rate) are rounded once per figure, so "
    "the rows may differ from the total by a cent of rounding. A ratio over zero is left empty."
)


def _columns(metric: Metric, filters: AnalyticsFilters) -> tuple[ExportColumn, ...]:
    return (
        GROUP_COLUMNS[filters.dimension],
        *(figure.column for figure in metric.figures),
        GROUP_ID_COLUMN,
    )


class Analytics(DataSource):
    name = "analytics"
    title = "Analytics"
    description = (
        "A firm metric (utilization, billable mix, billing and collection realization, "
        "collection, AR aging, matter profitability, effective rate) over a period, one row per "
        "group and a firm total."
    )
    filters_model: ClassVar[type[Filters]] = AnalyticsFilters
    default_sort: ClassVar[tuple[SortKey, ...]] = ()
    counts_withheld_rows: ClassVar[bool] = False  # a metric row is no record that was left out

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return ()  # they depend on the metric: see columns_for and metrics()

    def columns_for(self, filters: Filters) -> tuple[SourceColumn, ...]:
        assert isinstance(filters, AnalyticsFilters)
        metric = METRICS[filters.metric]
        return tuple(
            # The expression names the column of the statement's rows, where it is computed.
            SourceColumn(
                export_column, column(export_column.name), default=export_column.name != "groupId"
            )
            for export_column in _columns(metric, filters)
        )

    def metrics(self) -> tuple[MetricChoice, ...]:
        return tuple(
            MetricChoice(
                name=metric.name,
                title=metric.title,
                definition=metric.definition,
                group_by=DIMENSIONS[metric.name],
                columns=tuple(figure.column for figure in metric.figures),
            )
            for metric in METRICS.values()
        )

    def child_table_names(self) -> tuple[str, ...]:
        return ()

    def table_spec(self, query: ExportQuery) -> TableSpec:
        spec = super().table_spec(query)
        metric = METRICS[self._filters(query).metric]
        chart = chart_for(metric, self._filters(query), query.columns)
        # The table is the metric's: its sheet is named so ("Accounts receivable aging").
        return replace(spec, title=metric.title, chart=chart)

    def title_for(self, query: ExportQuery) -> str:
        f = self._filters(query)
        return f"{METRICS[f.metric].title} by {GROUP_COLUMNS[f.dimension].label.lower()}"

    def file_subject(self, query: ExportQuery) -> tuple[str, ...]:
        f = self._filters(query)
        return (f.metric, f"by-{f.dimension}")  # utilization_by-timekeeper_2025.xlsx

    def file_filters(self, query: ExportQuery) -> tuple[tuple[str, object], ...]:
        # The metric and grouping are the subject; whether a chart is drawn narrows nothing.
        unnamed = {"metric", "groupBy", "chart"}
        return tuple(item for item in query.filters.set_values() if item[0] not in unnamed)

    def notes(self, query: ExportQuery) -> tuple[str, ...]:
        f = self._filters(query)
        period = f"Period: {f.date_from.isoformat()} to {f.date_to.isoformat()} ({f.days} days)."
        return (METRICS[f.metric].definition, period, ROUNDING_NOTE)

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        raise NotImplementedError("analytics rows are grouped: see statement()")

    def tiebreaker(self) -> ColumnElement[Any]:
        raise NotImplementedError("analytics rows are grouped: see statement()")

    def statement(self, scope: Scope, query: ExportQuery) -> Select[Any]:
        f = self._filters(query)
        rows = self._rows(scope, f)
        order = [rows.c[k.name].desc() if k.descending else rows.c[k.name] for k in query.sort]
        group = GROUP_COLUMNS[f.dimension].name
        statement = select(*(rows.c[name] for name in query.columns)).order_by(
            rows.c.is_total, *order, rows.c[group], rows.c[GROUP_ID_COLUMN.name]
        )
        return self.bind_scope(statement, scope, query)

    def count_statement(self, scope: Scope, query: ExportQuery) -> Select[Any]:
        rows = self._rows(scope, self._filters(query))
        return self.bind_scope(select(func.count()).select_from(rows), scope, query)

    @staticmethod
    def _filters(query: ExportQuery) -> AnalyticsFilters:
        assert isinstance(query.filters, AnalyticsFilters)
        return query.filters

    def _rows(self, scope: Scope, filters: AnalyticsFilters) -> Subquery:
        metric = METRICS[filters.metric]
        facts = metric.facts(scope, filters).subquery("facts")
        grouped = (
            select(
                facts.c.group_id,
                facts.c.group_label,
                *(integer_sum(facts.c[unit]).label(unit) for unit in metric.units),
            )
            .group_by(facts.c.group_id, facts.c.group_label)
            # A CTE, read twice (rows and total): SQLite and PostgreSQL compute it once.
            .cte("grouped")
        )
        group = GROUP_COLUMNS[filters.dimension].name

        def row(
            units: Units, label: ColumnElement[Any], group_id: ColumnElement[Any], total: int
        ) -> Select[Any]:
            return select(
                literal(total, Integer()).label("is_total"),
                label.label(group),
                *(figure.value(units).label(figure.column.name) for figure in metric.figures),
                group_id.label(GROUP_ID_COLUMN.name),
            )

        by_group = row(
            {unit: grouped.c[unit] for unit in metric.units},
            grouped.c.group_label,
            grouped.c.group_id,
            0,
        )
        if filters.dimension == "firm":
            return by_group.subquery("analytics")
        firm = (
            row(
                {unit: integer_sum(grouped.c[unit]) for unit in metric.units},
                literal(TOTAL_LABEL, String()),
                cast(null(), String()),
                1,
            )
            .select_from(grouped)
            .having(func.count() > 0)  # no rows, no total
        )
        return union_all(by_group, firm).subquery("analytics")
