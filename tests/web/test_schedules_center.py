"""Schedules in the Export Center: made from the request form with "Repeat" and "Period", then
listed with their next run, paused, resumed, run now and deleted, against the real service. The
e-mail box offers the signed-in person's own address; the API's refusals appear beside the field
they name."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Response, expect

from tests.live import LiveService
from tests.web.center import choose, open_signed_in, row_of

pytestmark = pytest.mark.usefixtures("browser")

ADDRESS = "partner@demo-firm.example"


def create_schedule(page: Page) -> Response:
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/api/v1/export/schedules")
    ) as answer:
        page.click("#submit")
    return answer.value


def shown_time(page: Page, iso: str) -> str:
    """The page's own words for a time (format.js `when`), to compare what it shows."""
    return str(page.evaluate("async (iso) => (await import('/static/format.js')).when(iso)", iso))


def test_a_one_off_export_takes_a_period_and_mails_no_one_unless_asked(
    page: Page, web_service: LiveService
) -> None:
    open_signed_in(page, web_service, web_service.token(user="one-off", email=ADDRESS))
    choose(page, source="time_entries", format_name="csv")
    expect(page.locator("#f-period option")).to_contain_text(["Previous month", "Last 7 days"])
    expect(page.locator("#f-notify")).not_to_be_checked()
    expect(page.locator("#submit")).to_have_text("Request export")
    page.select_option("#f-period", "last7Days")
    with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/export/csv")
    ) as sent:
        page.click("#submit")
    body = sent.value.post_data_json
    assert body["period"] == "last7Days" and "notify" not in body
    answer = sent.value.response()
    assert answer is not None and answer.status == 202, answer.text()
    frozen = answer.json()["data"]["parameters"]
    assert date.fromisoformat(frozen["dateTo"]) > date.fromisoformat(frozen["dateFrom"])


def test_a_monthly_schedule_is_made_paused_resumed_run_and_deleted(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    token = web_service.token(user="partner-schedules", email=ADDRESS)
    open_signed_in(page, web_service, token)
    expect(page.locator("#schedules")).to_be_visible()
    choose(page, source="time_entries", format_name="csv")
    page.select_option("#f-repeat", "monthly")
    expect(page.locator("#submit")).to_have_text("Create schedule")
    # A schedule runs while nobody watches: the person's own address is offered and ticked.
    expect(page.locator("#f-notify")).to_be_checked()
    expect(page.locator("#f-notify-emails")).to_have_value(ADDRESS)
    page.fill("#f-repeat-at", "07:30")
    page.select_option("#f-period", "previousMonth")
    page.fill("#f-name", "Monthly time")
    page.fill("#f-timezone", "America/New_York")
    answer = create_schedule(page)
    assert answer.status == 201, answer.text()
    sent: dict[str, Any] = answer.request.post_data_json
    assert {k: sent[k] for k in ("name", "format", "dataSource", "cron", "period", "timezone")} == {
        "name": "Monthly time",
        "format": "csv",
        "dataSource": "time_entries",
        "cron": "30 7 1 * *",
        "period": "previousMonth",
        "timezone": "America/New_York",
    }
    assert sent["notify"] == {"emails": [ADDRESS]}
    made = answer.json()["data"]
    next_run = datetime.fromisoformat(made["nextRunAt"]).astimezone(ZoneInfo("America/New_York"))
    assert (next_run.day, next_run.hour, next_run.minute) == (1, 7, 30)

    item = page.locator(f'[data-schedule-id="{made["scheduleId"]}"]')
    expect(item.locator(".export-title")).to_have_text("Monthly time")
    expect(item.locator(".badge")).to_have_text("Active")
    expect(item.locator(".export-meta").first).to_have_text(
        "Time entries · CSV · every month on the 1st at 07:30 (America/New_York) · "
        f"period: previous month · e-mail to {ADDRESS}"
    )
    expect(item.locator(".next-run")).to_have_text(
        f"Next run {shown_time(page, made['nextRunAt'])}."
    )
    expect(item.locator(".last-run")).to_have_text("Not run yet.")

    item.get_by_role("button", name="Pause Monthly time").click()
    expect(item.locator(".badge")).to_have_text("Paused")
    expect(item.locator(".next-run")).to_have_text("Paused: no run until resumed.")
    with web_service.client(token) as client:
        path = f"/api/v1/export/schedules/{made['scheduleId']}"
        assert client.get(path).json()["data"]["active"] is False
        item.get_by_role("button", name="Resume Monthly time").click()
        expect(item.locator(".badge")).to_have_text("Active")
        assert client.get(path).json()["data"]["active"] is True

        with page.expect_response(lambda r: r.url.endswith(f"{path}/run")) as ran:
            item.get_by_role("button", name="Run Monthly time now").click()
        assert ran.value.status == 202, ran.value.text()
        export = ran.value.json()["data"]["export"]
        row = row_of(page, export["exportId"])
        expect(row.locator(".badge")).to_have_text("Completed", timeout=30_000)
        expect(row.locator(".export-meta")).to_contain_text("Scheduled run")
        status = client.get(f"/api/v1/export/status/{export['exportId']}").json()["data"]
        assert status["scheduleId"] == made["scheduleId"]
        first = date.fromisoformat(status["parameters"]["dateFrom"])
        assert first.day == 1 and status["parameters"]["dateTo"] > status["parameters"]["dateFrom"]
        expect(item.locator(".last-run")).to_contain_text("export completed", timeout=30_000)
        item.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "11-schedules.png", full_page=True)
        page.locator("#schedules").screenshot(path=screenshots / "11-schedules-panel.png")

        item.get_by_role("button", name="Delete Monthly time").click()
        expect(item).to_have_count(0)
        assert client.get(path).status_code == 404


def test_the_apis_refusals_show_beside_repeat_e_mail_and_time_zone(
    page: Page, web_service: LiveService, screenshots: Path
) -> None:
    open_signed_in(page, web_service, web_service.token(user="hasty", email=ADDRESS))
    choose(page, source="matters", format_name="csv")
    page.select_option("#f-repeat", "custom")
    expect(page.locator("#f-cron")).to_be_visible()
    page.fill("#f-cron", "*/5 * * * *")
    page.fill("#f-notify-emails", "rival@elsewhere.example")
    page.fill("#f-timezone", "Mars/Olympus_Mons")
    refusals: dict[str, str] = {}
    for _ in range(3):  # the API names one field at a time: mend each and try again
        answer = create_schedule(page)
        assert answer.status == 400, answer.text()
        detail = answer.json()["error"]["details"][0]
        refusals[detail["field"]] = detail["message"]
        beside = page.locator(f'[data-field="{detail["field"]}"] .field-error')
        expect(beside).to_be_visible()
        expect(beside).to_have_text(detail["message"])
        expect(page.locator("#form-errors")).to_contain_text("The schedule was not created")
        if detail["field"] == "cron":
            expect(page.locator("#f-cron")).to_be_focused()  # the typed expression, not the choice
            expect(page.locator("#f-cron")).to_have_attribute("aria-invalid", "true")
            page.screenshot(path=screenshots / "12-schedule-error.png", full_page=True)
            page.fill("#f-cron", "0 7 * * 1")
        elif detail["field"] == "notify.emails":
            page.fill("#f-notify-emails", ADDRESS)
        elif detail["field"] == "timezone":
            page.fill("#f-timezone", "")
    assert set(refusals) == {"cron", "notify.emails", "timezone"}, refusals
    assert "outside your firm's e-mail domain" in refusals["notify.emails"]
    answer = create_schedule(page)
    assert answer.status == 201, answer.text()
    expect(page.locator('[data-field="cron"] .field-error')).to_be_hidden()
