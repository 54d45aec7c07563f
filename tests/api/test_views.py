"""How a source is described to clients such as the web page: types and choices per filter."""

from __future__ import annotations

from typing import ClassVar, Literal

from smarter_export.api.views import source_view
from smarter_export.sources.base import DataSource, Filters, SortKey, SourceColumn
from smarter_export.sources.common import EntityId


class ReportFilters(Filters):
    metric: Literal["utilization", "realization"] = "utilization"
    group_by: list[Literal["timekeeper", "month"]] | None = None
    client_id: EntityId | None = None


class Report(DataSource):
    name = "report"
    title = "Report"
    description = "A source made up for this test."
    filters_model: ClassVar[type[Filters]] = ReportFilters
    default_sort: ClassVar[tuple[SortKey, ...]] = ()

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return ()


def test_each_filter_says_how_to_offer_its_values() -> None:
    filters = {f.name: f for f in source_view(Report()).filters}
    assert (filters["metric"].type, filters["metric"].required) == ("choice", False)
    assert filters["metric"].choices == ["utilization", "realization"]
    assert filters["groupBy"].type == "array"
    assert filters["groupBy"].choices == ["timekeeper", "month"]
    assert filters["clientId"].choices is None
    assert filters["clientId"].choices_url == "/api/v1/export/choices/clientId"
    assert filters["metric"].choices_url is None


def test_each_filter_says_its_default_and_date_filters_offer_a_period() -> None:
    from smarter_export.jobs.periods import PERIODS
    from smarter_export.sources.registry import SOURCES

    analytics = {f.name: f for f in source_view(SOURCES["analytics"]).filters}
    assert analytics["chart"].default is True  # the form ticks the box: a chart unless unticked
    assert analytics["groupBy"].default is None
    matters = [f.name for f in source_view(SOURCES["matters"]).filters]
    assert matters[:3] == ["dateFrom", "dateTo", "period"]
    assert {f.name: f for f in source_view(SOURCES["matters"]).filters}["period"].choices == list(
        PERIODS
    )
    assert "period" not in [f.name for f in source_view(SOURCES["timekeepers"]).filters]
    assert {f.name: f for f in source_view(Report()).filters}["metric"].default == "utilization"
