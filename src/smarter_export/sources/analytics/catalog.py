"""Every analytics metric by name: the one place a metric is registered."""

from __future__ import annotations

from smarter_export.sources.analytics.filters import DIMENSIONS
from smarter_export.sources.analytics.model import Metric
from smarter_export.sources.analytics.money_metrics import (
    AR_AGING,
    COLLECTION,
    EFFECTIVE_RATE,
    MATTER_PROFITABILITY,
)
from smarter_export.sources.analytics.realization import COLLECTION_REALIZATION, REALIZATION
from smarter_export.sources.analytics.time_metrics import BILLABLE_MIX, UTILIZATION

METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        UTILIZATION,
        BILLABLE_MIX,
        REALIZATION,
        COLLECTION_REALIZATION,
        COLLECTION,
        AR_AGING,
        MATTER_PROFITABILITY,
        EFFECTIVE_RATE,
    )
}
assert set(METRICS) == set(DIMENSIONS), "every metric offers groupings, and only metrics do"
