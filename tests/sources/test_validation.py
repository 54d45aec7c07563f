"""Every bad filter, column or sort is refused with the field named; good ones parse."""

from __future__ import annotations

from datetime import date

import pytest

from smarter_export.errors import ValidationFailed
from smarter_export.sources.registry import SOURCES, get_source

GOOD_ID = "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"


def fields_of(error: ValidationFailed) -> set[str]:
    return {problem.field for problem in error.problems}


def test_unknown_source_names_data_source() -> None:
    with pytest.raises(ValidationFailed) as caught:
        get_source("payroll")
    assert fields_of(caught.value) == {"dataSource"}
    assert "time_entries" in caught.value.message


@pytest.mark.parametrize("name", [n for n in SOURCES if n != "analytics"])
def test_unknown_filter_is_named(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        SOURCES[name].parse({"colour": "red"})
    assert fields_of(caught.value) == {"colour"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"dateFrom": "2024-13-01"}, "dateFrom"),
        ({"dateFrom": "2024-05-01", "dateTo": "2024-04-01"}, "dateTo"),
        ({"matterId": "1; DROP TABLE matter"}, "matterId"),
        ({"timekeeperId": "not-a-uuid"}, "timekeeperId"),
        ({"billableStatus": "sometimes"}, "billableStatus"),
        ({"status": 7}, "status"),
        ({"columns": "date,salary"}, "columns"),
        ({"columns": []}, "columns"),
        ({"columns": "date,date"}, "columns"),
        ({"sort": "-salary"}, "sort"),
        ({"date_from": "2024-01-01"}, "date_from"),
    ],
)
def test_bad_time_entry_request_names_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        get_source("time_entries").parse(raw)
    assert field in fields_of(caught.value)
    assert field in caught.value.message


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(ValidationFailed) as caught:
        get_source("time_entries").parse({"columns": "nope", "sort": "nope", "dateTo": "x"})
    assert fields_of(caught.value) == {"columns", "sort", "dateTo"}


def test_camel_case_filters_parse_from_cli_strings() -> None:
    query = get_source("time_entries").parse(
        {
            "dateFrom": "2024-01-01",
            "dateTo": "2024-12-31",
            "practiceAreaId": GOOD_ID,
            "billableStatus": "billable",
            "columns": "date, hours,amount",
            "sort": "-date",
        }
    )
    assert query.filters.date_from == date(2024, 1, 1)  # type: ignore[attr-defined]
    assert query.filters.practice_area_id == GOOD_ID  # type: ignore[attr-defined]
    assert query.columns == ("date", "hours", "amount")
    assert [str(key) for key in query.sort] == ["-date"]


def test_active_only_takes_json_and_cli_booleans() -> None:
    source = get_source("timekeepers")
    assert source.parse({"activeOnly": True}).filters.active_only  # type: ignore[attr-defined]
    assert source.parse({"activeOnly": "true"}).filters.active_only  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as caught:
        source.parse({"activeOnly": "maybe"})
    assert fields_of(caught.value) == {"activeOnly"}


def test_specification_example_body_is_accepted() -> None:
    query = get_source("timekeepers").parse({"practiceAreaId": GOOD_ID, "activeOnly": True})
    assert query.filters.described() == (("practiceAreaId", GOOD_ID), ("activeOnly", "True"))
