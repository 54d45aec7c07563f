"""Every status as the list shows it, with the API's answers stood in for by recorded shapes.

A failed or expired export cannot be made on demand by a real worker in a few seconds, so here
the page is given the list exactly as the API would send it (Playwright answers the call); the
rest of the suite runs against the real service.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.live import LiveService
from tests.web.center import open_signed_in, row_of, view

pytestmark = pytest.mark.usefixtures("browser")

EXPORTS = [
    view(1, "pending", rows_total=None),
    view(2, "processing", rows_done=2_500),  # estimatedCompletionAt: 3 min from each answer
    view(3, "completed"),
    view(4, "completed", partial=True, warnings=["Stopped at the PDF row cap of 50,000 rows."]),
    view(5, "failed", error={"code": "source_error", "message": "The matter list is gone."}),
    view(6, "cancelled", rows_done=4_000),
    view(7, "expired", rows_done=10_000),
    view(8, "processing", rows_done=100, cancelRequested=True),
]
EXPECTED = [
    ("pending", "Pending", "Waiting for a worker"),
    ("processing", "Processing", "2,500 of 10,000 rows · 25%"),
    ("completed", "Completed", "10,000 of 10,000 rows · 100%"),
    ("partial", "Partial", "10,000 of 10,000 rows · 100%"),
    ("failed", "Failed", "0 of 10,000 rows · 0%"),
    ("cancelled", "Cancelled", "4,000 of 10,000 rows · 40%"),
    ("expired", "Expired", "10,000 of 10,000 rows · 100%"),
    ("cancelling", "Cancelling", "100 of 10,000 rows · 1%"),
]


def answer_list(route: Route) -> None:
    EXPORTS[1]["estimatedCompletionAt"] = (datetime.now(UTC) + timedelta(minutes=3)).isoformat()
    body = {"data": {"exports": EXPORTS, "pagination": {"page": 1, "pageSize": 20, "total": 8}}}
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


def test_every_status_has_its_badge_message_and_buttons(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    page.route("**/api/v1/export?pageSize=*", answer_list)
    open_signed_in(page, web_service, web_service.token(user="gallery"))
    for exported, (badge, label, rows) in zip(EXPORTS, EXPECTED, strict=True):
        row = row_of(page, exported["exportId"])
        expect(row).to_have_attribute("data-status", badge)
        expect(row.locator(".badge")).to_have_text(label)
        expect(row.locator(".rows")).to_have_text(rows)
        downloadable = exported["status"] == "completed"
        expect(row.get_by_role("link", name="Download")).to_have_count(1 if downloadable else 0)
        expect(row.locator("button.cancel")).to_be_visible(
            visible=badge in ("pending", "processing")
        )
    rows = {e["status"] + str(e["partial"]): row_of(page, e["exportId"]) for e in EXPORTS[:7]}
    expect(rows["processingFalse"].locator(".eta")).to_contain_text("Estimated: about 3 min left")
    expect(rows["completedFalse"].locator(".file")).to_contain_text("t.csv · 2.4 MB")
    expect(rows["completedTrue"].locator(".export-message")).to_have_text(
        "Stopped at the PDF row cap of 50,000 rows."
    )
    expect(rows["failedFalse"].locator(".export-message")).to_have_text(
        "Failed: The matter list is gone."
    )
    expect(rows["expiredFalse"].locator(".export-message")).to_contain_text("has expired")
    expect(row_of(page, EXPORTS[0]["exportId"]).locator("progress")).not_to_have_attribute(
        "value", "0"
    )
    page.screenshot(path=screenshots / "08-every-status.png", full_page=True)


def test_a_running_export_says_when_it_is_past_its_rows(
    page: Page, web_service: LiveService
) -> None:
    """After the last row the file is closed, then stored: the row says so, not an idle 100 %."""
    phases = [
        view(21, "processing", rows_done=10_000, phase="finishing"),
        view(22, "processing", rows_done=10_000, phase="uploading"),
    ]
    body = {"data": {"exports": phases, "pagination": {"page": 1, "pageSize": 20, "total": 2}}}
    page.route(
        "**/api/v1/export?pageSize=*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(body)
        ),
    )
    open_signed_in(page, web_service, web_service.token(user="phases"))
    expect(row_of(page, phases[0]["exportId"]).locator(".rows")).to_have_text(
        "10,000 of 10,000 rows · 100% · finishing the file"
    )
    expect(row_of(page, phases[1]["exportId"]).locator(".rows")).to_have_text(
        "10,000 of 10,000 rows · 100% · storing the file"
    )


def test_a_token_without_permission_is_told_so(page: Page, web_service: LiveService) -> None:
    refusal = {"error": {"code": "forbidden", "message": "No export permission.", "details": []}}
    page.route(
        "**/api/v1/export/sources",
        lambda route: route.fulfill(
            status=403, content_type="application/json", body=json.dumps(refusal)
        ),
    )
    page.goto(f"{web_service.base_url}/#token={web_service.token(user='nobody')}")
    expect(page.locator("#signin-message")).to_have_text(
        "Your token does not allow this: No export permission."
    )
    expect(page.locator("#workspace")).to_be_hidden()
