"""Analytics requests: metric, grouping, period and filters are checked, each field named."""

from __future__ import annotations

import pytest

from smarter_export.domain.tenants import Firm
from smarter_export.errors import ValidationFailed
from smarter_export.jobs.plan import plan_export
from smarter_export.settings import Settings, get_settings
from smarter_export.sources.registry import get_source

GOOD_ID = "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
PERIOD = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}


def fields_of(raw: dict[str, object], settings: Settings | None = None) -> set[str]:
    with pytest.raises(ValidationFailed) as caught:
        get_source("analytics").parse(raw, settings)
    return {problem.field for problem in caught.value.problems}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({**PERIOD}, "metric"),
        ({"metric": "happiness", **PERIOD}, "metric"),
        ({"metric": "utilization", "dateTo": "2024-12-31"}, "dateFrom"),
        ({"metric": "utilization", "dateFrom": "2024-12-31"}, "dateTo"),
        ({"metric": "utilization", "dateFrom": "2024-02-01", "dateTo": "2024-01-01"}, "dateTo"),
        ({"metric": "utilization", "dateFrom": "2010-01-01", "dateTo": "2024-12-31"}, "dateTo"),
        ({"metric": "ar_aging", "groupBy": "timekeeper", **PERIOD}, "groupBy"),
        ({"metric": "utilization", "groupBy": "galaxy", **PERIOD}, "groupBy"),
        ({"metric": "collection", "timekeeperId": GOOD_ID, **PERIOD}, "timekeeperId"),
        (
            {"metric": "effective_rate", "groupBy": "matter", "timekeeperId": GOOD_ID, **PERIOD},
            "timekeeperId",
        ),
        ({"metric": "realization", "clientId": "nope", **PERIOD}, "clientId"),
        ({"metric": "realization", "colour": "red", **PERIOD}, "colour"),
        ({"metric": "realization", "columns": "realization,salary", **PERIOD}, "columns"),
        ({"metric": "realization", "sort": "-utilization", **PERIOD}, "sort"),
    ],
)
def test_bad_analytics_request_names_the_field(raw: dict[str, object], field: str) -> None:
    assert field in fields_of(raw)


def test_the_longest_period_is_the_setting_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings the export is planned with decide, not whatever the process's are."""
    monkeypatch.setenv("SMARTER_EXPORT_ANALYTICS_MAX_DAYS", "5000")
    get_settings.cache_clear()
    short = Settings(analytics_max_days=31)
    firm = Firm(GOOD_ID, "Firm", "firm", "UTC", "USD")
    too_long = {"metric": "utilization", "dateFrom": "2024-01-01", "dateTo": "2024-02-01"}
    with pytest.raises(ValidationFailed) as caught:
        plan_export(
            short,
            firm=firm,
            source_name="analytics",
            format_name="csv",
            params=too_long,
            requested_by="u",
        )
    assert [problem.field for problem in caught.value.problems] == ["dateTo"]
    assert "at most 31" in caught.value.problems[0].message
    query = get_source("analytics").parse(
        {"metric": "utilization", "dateFrom": "2024-01-01", "dateTo": "2024-01-31"}, short
    )
    assert query.filters.days == 31  # type: ignore[attr-defined]
    get_settings.cache_clear()


def test_columns_and_sort_follow_the_metric() -> None:
    source = get_source("analytics")
    query = source.parse({"metric": "collection", "groupBy": "month", **PERIOD})
    assert query.columns == ("month", "collected", "invoiced", "collectionRate")
    chosen = source.parse(
        {
            "metric": "collection",
            "columns": "client,collectionRate",
            "sort": "-collectionRate",
            **PERIOD,
        }
    )
    assert chosen.columns == ("client", "collectionRate")
    # What a job keeps and its worker parses again is the very same request.
    assert source.parse(chosen.frozen()) == chosen
    assert [str(key) for key in chosen.sort] == ["-collectionRate"]
    assert source.title_for(query) == "Collection by month"
    definition, period, rounding = source.notes(query)
    assert definition.startswith("Collection = amount collected / amount invoiced")
    assert period == "Period: 2024-01-01 to 2024-12-31 (366 days)."
    assert "half away from zero" in rounding
