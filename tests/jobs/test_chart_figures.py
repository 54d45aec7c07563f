"""The figures kept for an analytics export's chart preview are the file's own, chosen as the
file's chart chooses them, for every kind of chart; a record export, a firm-wide grouping and
`chart: false` keep none; a viewer who may not take the file may not see them either."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smarter_export.auth.principal import Principal
from smarter_export.domain.demo_data import DemoSize
from smarter_export.errors import Forbidden, NotFound
from smarter_export.formats.chart_data import MAX_BARS
from smarter_export.jobs.chart_figures import chart_preview, has_preview
from smarter_export.jobs.records import ExportJob, JobStatus
from tests.jobs.world import World, make_world
from tests.live import make_template
from tests.readers import csv_tables

PERIOD = {"dateFrom": "2024-01-01", "dateTo": "2025-06-30"}


def run(world: World, body: dict[str, Any]) -> ExportJob:
    export_id = world.create(body)
    world.runner().process(export_id)
    job = world.job(export_id)
    assert job.status is JobStatus.COMPLETED, job.error_message
    return job


def file_rows(world: World, job: ExportJob) -> tuple[list[str], list[list[str]]]:
    assert job.file_key is not None
    data = (world.settings.data_dir / "files" / job.file_key).read_bytes()
    header, *rows = csv_tables(data)["main"]
    assert rows[-1][0] == "Total (firm)"
    return header, rows[:-1]  # the total row is never drawn


def column(header: list[str], rows: list[list[str]], name: str) -> list[float]:
    index = header.index(name)
    return [float(Decimal(row[index] or "0")) for row in rows]


def test_utilization_by_timekeeper_is_billable_hours_against_each_target(world: World) -> None:
    job = run(world, {"dataSource": "analytics", "metric": "utilization", **PERIOD})
    header, rows = file_rows(world, job)
    chart = job.chart
    assert chart is not None
    assert chart["kind"] == "bars"
    assert chart["title"] == (
        "Billable hours against target by timekeeper, 2024-01-01 to 2025-06-30"
    )
    assert chart["labels"] == [row[0] for row in rows]
    assert chart["series"] == [
        {"label": "Billable hours", "values": column(header, rows, "Billable hours")}
    ]
    assert chart["target"] == {
        "label": "Target hours",
        "values": column(header, rows, "Target hours"),
    }
    assert chart["unit"] == "Hours"
    assert chart["groups"] == len(rows)


def test_aging_is_stacked_buckets_from_current_to_over_120_days(world: World) -> None:
    job = run(
        world, {"dataSource": "analytics", "metric": "ar_aging", "groupBy": "client", **PERIOD}
    )
    header, rows = file_rows(world, job)
    chart = job.chart
    assert chart is not None and chart["kind"] == "stacked"
    buckets = [series["label"] for series in chart["series"]]
    assert len(buckets) == 6 and buckets == header[header.index(buckets[0]) :][:6]
    shown = min(len(rows), MAX_BARS)
    assert len(chart["labels"]) == shown
    by_name = {row[0]: row for row in rows}
    for index, label in enumerate(chart["labels"]):
        for series in chart["series"]:
            cell = by_name[label][header.index(series["label"])]
            assert series["values"][index] == float(Decimal(cell or "0"))
    assert chart["target"] is None
    assert chart["unit"].startswith("Amount (USD)")


def test_any_metric_by_month_is_a_line_over_every_month(world: World) -> None:
    job = run(
        world, {"dataSource": "analytics", "metric": "realization", "groupBy": "month", **PERIOD}
    )
    header, rows = file_rows(world, job)
    chart = job.chart
    assert chart is not None and chart["kind"] == "line"
    assert chart["labels"] == [row[0] for row in rows]  # every month, in order, none dropped
    assert len(chart["series"]) == 1
    assert chart["series"][0]["values"] == column(header, rows, chart["series"][0]["label"])
    assert chart["valueType"] == "percent"


@pytest.fixture(scope="module")
def many_matters_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A firm with a few hundred matters: more than the chart's 20 extremes."""
    path = tmp_path_factory.mktemp("many-matters") / "smarter_export.db"
    return make_template(path, DemoSize(tenants=1, time_entries=20_000, seed=5))


@pytest.fixture
def firm_of_many_matters(many_matters_template: Path, tmp_path: Path) -> Iterator[World]:
    yield from make_world(many_matters_template, tmp_path / "world")


def test_matter_profitability_keeps_the_top_and_bottom_matters(
    firm_of_many_matters: World,
) -> None:
    world = firm_of_many_matters
    body = {"dataSource": "analytics", "metric": "matter_profitability", **PERIOD}
    job = run(world, body)
    header, rows = file_rows(world, job)
    chart = job.chart
    assert chart is not None and chart["kind"] == "bars"
    profit = dict(zip([row[0] for row in rows], column(header, rows, "Profit"), strict=True))
    ranked = sorted(profit.values(), reverse=True)
    assert len(rows) > 20, "enough matters to need the extremes"
    assert len(chart["labels"]) == 20
    assert chart["series"][0]["values"] == ranked[:10] + ranked[-10:]
    assert [profit[label] for label in chart["labels"]] == chart["series"][0]["values"]
    assert chart["unit"].endswith(f"the 10 highest and 10 lowest of {len(rows)}")


@pytest.mark.parametrize(
    "body",
    [
        {"dataSource": "analytics", "metric": "utilization", "chart": False, **PERIOD},
        {"dataSource": "analytics", "metric": "utilization", "groupBy": "firm", **PERIOD},
        {"dataSource": "timekeepers"},
    ],
    ids=["chart-false", "firm-wide", "records"],
)
def test_no_chart_keeps_no_figures_and_has_no_preview(world: World, body: dict[str, Any]) -> None:
    job = run(world, body)
    assert job.chart is None
    assert not has_preview(job, world.caller.principal)
    with pytest.raises(NotFound):
        chart_preview(job, world.caller.principal)


def test_a_viewer_who_may_not_take_the_file_does_not_see_its_chart(world: World) -> None:
    job = run(world, {"dataSource": "analytics", "metric": "utilization", **PERIOD})
    assert has_preview(job, world.caller.principal)
    assert chart_preview(job, world.caller.principal) == job.chart
    outsider = Principal("clerk", job.tenant_id, "user", frozenset({"export:matters"}))
    assert not has_preview(job, outsider)
    with pytest.raises(Forbidden):
        chart_preview(job, outsider)
