"""Analytics: processed metrics (utilization, realization, ...). Its metrics are their own issue.

The slot exists so that the registry, the CLI and the API know the source; asking for it says
plainly that it is not available yet instead of pretending.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select

from smarter_export.errors import ValidationFailed
from smarter_export.sources.base import (
    DataSource,
    ExportQuery,
    Filters,
    Scope,
    SortKey,
    SourceColumn,
)


class AnalyticsFilters(Filters):
    pass


class Analytics(DataSource):
    name = "analytics"
    title = "Analytics"
    description = "Processed analytics metrics (not available yet)."
    filters_model: ClassVar[type[Filters]] = AnalyticsFilters
    default_sort: ClassVar[tuple[SortKey, ...]] = ()
    available: ClassVar[bool] = False

    def source_columns(self) -> tuple[SourceColumn, ...]:
        return ()

    def parse(self, raw: Mapping[str, object]) -> ExportQuery:
        raise ValidationFailed.one(
            "dataSource", "analytics exports are not available yet; choose another data source"
        )

    def base_query(self, scope: Scope, filters: Filters) -> Select[Any]:
        raise NotImplementedError("analytics metrics are not implemented yet")

    def tiebreaker(self) -> ColumnElement[Any]:
        raise NotImplementedError("analytics metrics are not implemented yet")
