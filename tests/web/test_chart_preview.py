"""The chart preview of a completed analytics export, drawn by the page from the figures the
service kept from the file: bars against a target, stacked buckets, a line over months, the
top and bottom matters; none for a record export or `chart: false`. And the form starts every
filter at its default, so the chart box starts ticked."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.live import LiveService
from tests.web.center import choose, open_signed_in, other_subdomain, row_of, submit

pytestmark = pytest.mark.usefixtures("browser")

PERIOD = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
TOTAL = "Total (firm)"


def fetch_file(service: LiveService, client: httpx.Client, export_id: str) -> bytes:
    status = service.wait_for(client, export_id, ["completed"])
    link = httpx.get(str(status["downloadUrl"]), timeout=30)
    assert link.status_code == 200, link.text
    return link.content


def csv_groups(data: bytes) -> list[dict[str, str]]:
    """The file's groups by header, the total row left out as every chart leaves it."""
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    assert rows[-1][0] == TOTAL
    return [dict(zip(header, row, strict=True)) for row in rows[:-1]]


def preview(page: Page, export_id: str) -> Locator:
    figure = row_of(page, export_id).locator("figure.chart-preview")
    expect(figure).to_be_visible(timeout=30_000)
    return figure


def test_filters_say_their_defaults_and_the_form_starts_at_them(
    page: Page, web_service: LiveService
) -> None:
    with web_service.client(web_service.token()) as client:
        sources = {s["name"]: s for s in client.get("/api/v1/export/sources").json()["data"]}
    analytics = {f["name"]: f for f in sources["analytics"]["filters"]}
    assert analytics["chart"]["default"] is True
    assert analytics["dateFrom"]["default"] is None
    assert {f["name"]: f for f in sources["matters"]["filters"]}["activeOnly"]["default"] is False
    open_signed_in(page, web_service, web_service.token(user="defaults"))
    page.select_option("#f-dataSource", "analytics")
    expect(page.locator("#f-chart")).to_be_checked()  # true by default, so ticked
    page.select_option("#f-dataSource", "matters")
    expect(page.locator("#f-activeOnly")).not_to_be_checked()


def test_utilization_shows_a_bar_and_a_target_mark_per_timekeeper(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="managing-partner"))
    choose(page, source="analytics", format_name="excel")
    page.select_option("#f-metric", "utilization")
    page.fill("#f-dateFrom", PERIOD["dateFrom"])
    page.fill("#f-dateTo", PERIOD["dateTo"])
    created = submit(page)["data"]
    assert "chart" not in created["parameters"] or created["parameters"]["chart"] is True
    figure = preview(page, created["exportId"])
    with web_service.client(web_service.token()) as client:
        workbook = openpyxl.load_workbook(
            io.BytesIO(fetch_file(web_service, client, created["exportId"])), read_only=True
        )
    data = workbook.worksheets[0]  # the data sheet opens first, named after the metric
    assert data.title != "Export info"
    sheet = list(data.iter_rows(values_only=True))
    hours = sheet[0].index("Billable hours")
    groups = [row for row in sheet[1:] if row[0] not in (TOTAL, None)]
    assert len(groups) > 25, "more timekeepers than a chart shows: the 25 with most hours"
    largest = sorted(groups, key=lambda row: row[hours], reverse=True)[:25]
    names = [str(row[0]) for row in largest]
    expect(figure.locator("figcaption")).to_contain_text(
        "Billable hours against target by timekeeper, 2024-01-01 to 2024-12-31"
    )
    expect(figure.locator("figcaption")).to_contain_text(f"Hours; the 25 largest of {len(groups)}")
    expect(figure.locator(".group")).to_have_count(len(names))
    expect(figure.locator(".bar")).to_have_count(len(names))
    expect(figure.locator(".target")).to_have_count(len(names))
    expect(figure.locator(".label")).to_have_text(
        [name if len(name) <= 23 else f"{name[:22]}…" for name in names]
    )
    expect(figure.locator(".legend-label")).to_have_text(["Billable hours", "Target hours"])
    row_of(page, created["exportId"]).scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "09-chart-preview.png", full_page=True)
    # The README's picture: the export list with this row and its chart.
    page.locator("#exports").screenshot(path=screenshots / "09-chart-preview-list.png")


def test_chart_false_and_a_record_export_show_no_chart(
    page: Page, web_service: LiveService
) -> None:
    open_signed_in(page, web_service, web_service.token(user="no-chart"))
    choose(page, source="analytics", format_name="pdf")
    page.select_option("#f-metric", "utilization")
    page.fill("#f-dateFrom", PERIOD["dateFrom"])
    page.fill("#f-dateTo", PERIOD["dateTo"])
    page.uncheck("#f-chart")
    without = submit(page)["data"]
    assert without["parameters"]["chart"] is False  # the unticked box was sent
    choose(page, source="timekeepers", format_name="csv")
    records = submit(page)["data"]
    for export_id in (without["exportId"], records["exportId"]):
        row = row_of(page, export_id)
        expect(row.locator(".badge")).to_have_text("Completed", timeout=30_000)
        expect(row.locator("figure.chart-preview")).to_have_count(0)
    with web_service.client(web_service.token()) as client:
        for export_id in (without["exportId"], records["exportId"]):
            status = client.get(f"/api/v1/export/status/{export_id}").json()["data"]
            assert status["chartUrl"] is None
            assert client.get(f"/api/v1/export/{export_id}/chart").status_code == 404


def create(client: httpx.Client, body: dict[str, Any]) -> str:
    answer = client.post("/api/v1/export/csv", json={"dataSource": "analytics", **body})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["data"]["exportId"])


def test_stacked_aging_a_line_over_months_and_the_extreme_matters(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    with web_service.client(web_service.token()) as client:
        aging = create(client, {"metric": "ar_aging", "groupBy": "client", **PERIOD})
        months = create(client, {"metric": "realization", "groupBy": "month", **PERIOD})
        matters = create(client, {"metric": "matter_profitability", **PERIOD})
        files = {
            eid: csv_groups(fetch_file(web_service, client, eid))
            for eid in (aging, months, matters)
        }
        charts = {eid: client.get(f"/api/v1/export/{eid}/chart").json()["data"] for eid in files}
        # Another firm's person asks for our chart by its id: as missing as no export at all.
        rival = web_service.token(tenant=other_subdomain(web_service), user="rival")
        with web_service.client(rival) as theirs:
            refused = theirs.get(f"/api/v1/export/{aging}/chart")
            assert refused.status_code == 404, refused.text
            assert (
                theirs.get(f"/api/v1/export/{aging}/chart").json()["error"]["code"] == "not_found"
            )
    open_signed_in(page, web_service, web_service.token(user="analyst"))

    stacked = preview(page, aging)
    groups = min(len(files[aging]), 25)
    assert charts[aging]["kind"] == "stacked" and len(charts[aging]["series"]) == 6
    expect(stacked.locator(".group")).to_have_count(groups)
    expect(stacked.locator(".bar")).to_have_count(groups * 6)  # six buckets a client
    expect(stacked.locator(".legend-label")).to_have_count(6)
    expect(stacked.locator(".target")).to_have_count(0)

    line = preview(page, months)
    assert [row["Month"] for row in files[months]] == charts[months][
        "labels"
    ]  # every month, in order
    expect(line.locator(".point")).to_have_count(len(files[months]))
    expect(line.locator(".bar")).to_have_count(0)
    expect(line.locator("figcaption")).to_contain_text(
        "Billing realization by month, 2024-01-01 to 2024-12-31"
    )

    extremes = preview(page, matters)
    assert len(files[matters]) > 20
    ranked = sorted(files[matters], key=lambda row: Decimal(row["Profit"]), reverse=True)
    expected = [row["Matter"] for row in ranked[:10] + ranked[-10:]]
    expect(extremes.locator(".group")).to_have_count(20)
    drawn = extremes.locator(".group").evaluate_all("gs => gs.map(g => g.dataset.label)")
    assert drawn == expected
    expect(extremes.locator("figcaption")).to_contain_text(
        f"the 10 highest and 10 lowest of {len(files[matters])}"
    )
    row_of(page, matters).scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "10-chart-kinds.png", full_page=True)
