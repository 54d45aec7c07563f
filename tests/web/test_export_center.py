"""The Export Center end to end: Chromium, the real API process and a real worker process."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.live import LiveService
from tests.web.center import (
    choose,
    expected_time_entries,
    open_signed_in,
    other_subdomain,
    row_of,
    submit,
)

pytestmark = pytest.mark.usefixtures("browser")

KEPT_IN_ORDER = [
    "Date",
    "Timekeeper",
    "Client",
    "Matter number",
    "Matter",
    "Rate",  # moved above Hours with its arrow button
    "Hours",
    "Amount",
    "Billable status",
    "Status",
    "Invoice number",
]


def test_the_link_signs_in_and_leaves_no_token_in_the_address_bar(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    token = web_service.token(user="paralegal-1")
    open_signed_in(page, web_service, token)
    assert page.url == f"{web_service.base_url}/"
    assert page.evaluate("sessionStorage.getItem('smarterExport.token')") == token
    expect(page.locator("#who-text")).to_contain_text("Signed in as paralegal-1")
    titles = page.locator("#f-dataSource option").all_inner_texts()
    assert {"Matters", "Clients", "Timekeepers", "Time entries", "Invoices"} <= set(titles)
    page.select_option("#f-dataSource", "time_entries")
    # Id filters are selects filled from the firm's own records, not UUID text boxes.
    expect(page.locator("#f-clientId option")).not_to_have_count(1)
    expect(page.locator("#f-dateFrom")).to_have_attribute("type", "date")
    expect(page.locator("#f-billableStatus option")).to_have_text(
        ["Any", "Billable", "Non billable", "No charge"]
    )
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('#workspace input, #workspace select')]
            .filter(c => c.labels.length === 0 && !c.getAttribute('aria-label'))
            .map(c => c.id || c.name)"""
    )
    assert unnamed == [], "every control has a label"
    page.screenshot(path=screenshots / "01-signed-in.png", full_page=True)


def test_excel_with_a_date_filter_and_two_columns_removed_downloads_and_reads_back(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="associate-1"))
    choose(page, source="time_entries", format_name="excel")
    page.fill("#f-dateFrom", "2024-01-01")
    page.fill("#f-dateTo", "2024-03-31")
    page.uncheck("#col-activityCode")
    page.uncheck("#col-description")
    move_up = page.get_by_role("button", name="Move Rate up")
    move_up.focus()
    page.keyboard.press("Enter")  # the keyboard alone orders columns
    expect(move_up).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Rate moved to position 8 of 19.")
    created = submit(page)["data"]
    assert created["status"] == "pending"
    row = row_of(page, created["exportId"])
    expect(row).to_be_visible()
    # The associate holds no clearance: the rows under confidential matters are not in the
    # file, so the export is partial, and the page says how many rows and why.
    withheld = expected_time_entries(web_service, "2024-01-01", "2024-03-31", confidential=True)
    assert withheld > 0
    expect(row.locator(".badge")).to_have_text("Partial", timeout=30_000)
    expect(row.locator(".export-message")).to_contain_text(
        f"{withheld:,} rows under confidential matters were withheld"
    )
    expect(row.locator("progress")).to_have_js_property("value", 100)
    expected = expected_time_entries(web_service, "2024-01-01", "2024-03-31")
    expect(row.locator(".rows")).to_have_text(f"{expected:,} of {expected:,} rows · 100%")
    # The file is named for what it holds: the source and the dates as typed, and partial.
    name = "time-entries_2024-01-01_to_2024-03-31_partial.xlsx"
    expect(row.locator(".file")).to_contain_text(name)
    expect(row.locator(".file")).to_contain_text("KB")
    expect(row.locator("button.cancel")).to_be_hidden()
    page.screenshot(path=screenshots / "02-completed.png", full_page=True)

    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == name
    saved = screenshots.parent / name
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    # It opens on its data, named for what it holds; the export info comes last.
    assert workbook.sheetnames == ["Time entries", "Export info"]
    rows = list(workbook["Time entries"].iter_rows(values_only=True))
    assert list(rows[0]) == KEPT_IN_ORDER
    dated = [r[0] for r in rows[1:] if isinstance(r[0], datetime)]
    assert len(dated) == expected > 0
    assert min(dated) >= datetime(2024, 1, 1)
    assert max(dated) <= datetime(2024, 3, 31)


def test_a_bad_date_range_is_shown_beside_the_date_field(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="associate-2"))
    choose(page, source="time_entries", format_name="csv")
    page.fill("#f-dateFrom", "2024-03-31")
    page.fill("#f-dateTo", "2024-01-01")
    answer = submit(page)
    assert answer["error"]["details"][0]["field"] == "dateTo"
    beside = page.locator('[data-field="dateTo"] .field-error')
    expect(beside).to_be_visible()
    expect(beside).to_have_text("must be on or after dateFrom")
    expect(page.locator("#f-dateTo")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-dateTo")).to_be_focused()
    expect(page.locator("#form-errors")).to_contain_text("Date to: must be on or after dateFrom")
    expect(page.locator('[data-field="dateFrom"] .field-error')).to_be_hidden()
    page.screenshot(path=screenshots / "03-validation-error.png", full_page=True)


def test_a_large_running_export_is_cancelled(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="partner-1"))
    # A PDF: the streamed workbook of the web firm's time entries is written in about as long as
    # the page takes to show its row, so the cancel would land after the last row.
    choose(page, source="time_entries", format_name="pdf")
    page.click("#columns-all")
    created = submit(page)["data"]
    row = row_of(page, created["exportId"])
    expect(row).to_have_attribute("data-status", "processing", timeout=30_000)
    expect(row.locator(".rows")).to_contain_text(" of ")
    expect(row.locator(".eta")).to_contain_text("Estimated: ")
    page.screenshot(path=screenshots / "04-running.png", full_page=True)
    row.get_by_role("button", name="Cancel").click()
    expect(row.locator(".badge")).to_have_text("Cancelled", timeout=30_000)
    expect(row.locator(".export-message")).to_have_text("Cancelled; no file was kept.")
    expect(row.get_by_role("link", name="Download")).to_be_hidden()
    with web_service.client(web_service.token()) as client:
        status = client.get(f"/api/v1/export/status/{created['exportId']}").json()["data"]
    assert status["status"] == "cancelled"
    assert status["progress"]["rowsProcessed"] < status["progress"]["rowsTotal"]
    page.screenshot(path=screenshots / "05-cancelled.png", full_page=True)


def test_another_firms_exports_are_never_listed(page: Page, web_service: LiveService) -> None:
    other = web_service.token(tenant=other_subdomain(web_service), user="rival")
    with web_service.client(other) as client:
        theirs = client.post("/api/v1/export/csv", json={"dataSource": "matters"})
        assert theirs.status_code == 202, theirs.text
        their_id = theirs.json()["data"]["exportId"]
    with web_service.client(web_service.token()) as client:
        ours = client.post("/api/v1/export/csv", json={"dataSource": "clients"})
        our_id = ours.json()["data"]["exportId"]
    open_signed_in(page, web_service, web_service.token(user="associate-3"))
    expect(row_of(page, our_id)).to_be_visible()
    listed = page.locator("#export-list li").evaluate_all(
        "items => items.map(item => item.dataset.exportId)"
    )
    assert our_id in listed
    assert their_id not in listed
    # And the other way round: the other firm sees its export and none of ours.
    page.evaluate("sessionStorage.clear()")
    open_signed_in(page, web_service, other)
    expect(row_of(page, their_id)).to_be_visible()
    assert page.locator("#export-list li").count() == 1


def test_missing_expired_and_pasted_tokens(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    page.goto(f"{web_service.base_url}/")
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#signin-message")).to_contain_text("Sign in to use the Export Center")
    expect(page.locator("#workspace")).to_be_hidden()
    expect(page.locator("#token-input")).to_be_focused()
    page.screenshot(path=screenshots / "06-signed-out.png")

    expired = web_service.token(user="late", ttl_seconds=-3600)
    page.goto(f"{web_service.base_url}/#token={expired}")
    expect(page.locator("#signin-message")).to_have_text(
        "Your session has expired. Paste a new access token to sign in again."
    )
    assert page.url == f"{web_service.base_url}/"
    assert page.evaluate("sessionStorage.getItem('smarterExport.token')") is None

    page.fill("#token-input", "not-a-token")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-message")).to_contain_text("This access token was not accepted")

    page.fill("#token-input", web_service.token(user="pasted"))
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#workspace")).to_be_visible()
    expect(page.locator("#who-text")).to_contain_text("pasted")
    page.click("#sign-out")
    expect(page.locator("#signin")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('smarterExport.token')") is None


def test_a_phone_sees_the_whole_page_without_sideways_scrolling(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, web_service, web_service.token(user="phone"))
    expect(page.locator("#export-list li").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.locator("#exports").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "07-phone.png")


def test_the_link_of_an_e_mail_picks_out_its_export(page: Page, web_service: LiveService) -> None:
    """A notification links to `/?export={id}`: the page shows that export, marked and focused."""
    token = web_service.token(user="mailed")
    with web_service.client(token) as client:
        linked = client.post("/api/v1/export/csv", json={"dataSource": "timekeepers"})
        export_id = linked.json()["data"]["exportId"]
        other = client.post("/api/v1/export/csv", json={"dataSource": "clients"})
        assert other.status_code == 202
    page.goto(f"{web_service.base_url}/?export={export_id}#token={token}")
    row = row_of(page, export_id)
    expect(row).to_have_class(re.compile(r"\bpicked\b"))
    expect(row.locator(".export-title")).to_be_focused()
    expect(page.locator("#export-list li.picked")).to_have_count(1)
    assert page.url == f"{web_service.base_url}/?export={export_id}"
