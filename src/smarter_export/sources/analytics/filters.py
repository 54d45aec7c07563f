"""The analytics request: which metric, grouped by what, over which days, narrowed how.

One model validates all of it so that every problem names its field, like any other source's
filters: an unknown metric, a grouping the metric does not offer, a filter the metric cannot
honour, a missing or too long date range.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from smarter_export.settings import Settings
from smarter_export.sources.common import DateRange, EntityId

MetricName = Literal[
    "utilization",
    "billable_mix",
    "realization",
    "collection_realization",
    "collection",
    "ar_aging",
    "matter_profitability",
    "effective_rate",
]
Dimension = Literal["timekeeper", "matter", "client", "practice_area", "month", "firm"]

# The groupings each metric offers, the first being the default (DOMAIN.md, Analytics metrics).
DIMENSIONS: dict[str, tuple[Dimension, ...]] = {
    "utilization": ("timekeeper", "practice_area", "month", "firm"),
    "billable_mix": ("timekeeper", "practice_area", "month"),
    "realization": ("timekeeper", "matter", "client", "practice_area", "month"),
    "collection_realization": ("timekeeper", "matter", "client", "practice_area", "month"),
    "collection": ("client", "practice_area", "month", "firm"),
    "ar_aging": ("client", "firm"),
    "matter_profitability": ("matter", "client", "practice_area"),
    "effective_rate": ("timekeeper", "matter", "client"),
}

# Invoices are not anyone's time: a timekeeper filter means nothing to the invoice metrics,
# except effective_rate grouped by timekeeper, which credits collections through billed time.
_TIMEKEEPER_FILTERABLE = frozenset(
    {"utilization", "billable_mix", "realization", "collection_realization"}
)


class AnalyticsFilters(DateRange):
    metric: MetricName = Field(description="The metric to compute.")
    group_by: Dimension | None = Field(
        None, description="What a row is; each metric offers some (default: its first)."
    )
    date_from: date = Field(description="First day of the period (YYYY-MM-DD).")
    date_to: date = Field(description="Last day of the period (YYYY-MM-DD); ar_aging's as-of day.")
    practice_area_id: EntityId | None = None
    client_id: EntityId | None = None
    matter_id: EntityId | None = None
    timekeeper_id: EntityId | None = None
    chart: bool = Field(True, description="Draw the metric's chart in Excel and PDF; false: none.")

    # Field validators, not one model validator, so that each refusal names its own field.

    @field_validator("date_to")
    @classmethod
    def _span_within_limit(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("date_from")
        # The settings of the plan being made (`DataSource.parse`); the default without one.
        given = (info.context or {}).get("settings")
        limit = (given or Settings.model_construct()).analytics_max_days
        if start is not None and (value - start).days + 1 > limit:
            days = (value - start).days + 1
            raise ValueError(f"the period is {days} days; at most {limit} are allowed")
        return value

    @field_validator("group_by")
    @classmethod
    def _offered_by_metric(cls, value: Dimension | None, info: ValidationInfo) -> Dimension | None:
        metric = info.data.get("metric")
        if value is not None and metric is not None and value not in DIMENSIONS[metric]:
            offered = ", ".join(DIMENSIONS[metric])
            raise ValueError(f"{metric} groups by {offered}, not {value}")
        return value

    @field_validator("timekeeper_id")
    @classmethod
    def _metric_has_timekeepers(cls, value: str | None, info: ValidationInfo) -> str | None:
        metric = info.data.get("metric")
        if value is None or metric is None or metric in _TIMEKEEPER_FILTERABLE:
            return value
        grouping = info.data.get("group_by") or DIMENSIONS[metric][0]
        if metric == "effective_rate" and grouping == "timekeeper":
            return value
        raise ValueError(f"{metric} by {grouping} is not divided by timekeeper")

    @property
    def dimension(self) -> Dimension:
        return self.group_by or DIMENSIONS[self.metric][0]

    @property
    def days(self) -> int:
        """Days in the period, both ends included."""
        return (self.date_to - self.date_from).days + 1
