"""Polling with backoff, on the page's own clock (Playwright's fake timers): every second while
an export runs, then 4, 8, 16 and at most 30 seconds apart while none does or the service fails,
and at once again after a request or a click on Refresh."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, Route, expect

from tests.live import LiveService
from tests.web.center import view

pytestmark = pytest.mark.usefixtures("browser")


@dataclass
class FakeList:
    """Answers the page's list calls and counts them."""

    status: str = "completed"
    fail: bool = False
    calls: list[int] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        self.calls.append(1)
        if self.fail:
            route.fulfill(status=503, content_type="application/json", body='{"error": {}}')
            return
        exports = [view(1, self.status, rows_done=10)]
        page = {"page": 1, "pageSize": 20, "total": 1}
        body = json.dumps({"data": {"exports": exports, "pagination": page}})
        route.fulfill(content_type="application/json", body=body)


def after(page: Page, fake: FakeList, milliseconds: int, expected_calls: int) -> None:
    page.clock.run_for(milliseconds)
    for _ in range(100):
        if len(fake.calls) >= expected_calls:
            break
        page.wait_for_timeout(20)
    page.wait_for_timeout(50)  # and no extra call sneaks in
    assert len(fake.calls) == expected_calls, (milliseconds, len(fake.calls))


def test_backoff_while_idle_or_failing_and_fast_while_running(
    page: Page, web_service: LiveService
) -> None:
    fake = FakeList()
    start = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=1))  # from here on, time moves only when told
    page.route("**/api/v1/export?pageSize=*", fake)
    page.goto(f"{web_service.base_url}/#token={web_service.token(user='poller')}")
    expect(page.locator("#export-list li")).to_have_count(1)
    assert len(fake.calls) == 1
    after(page, fake, 3_900, 1)
    after(page, fake, 200, 2)  # 4 s
    after(page, fake, 8_000, 3)  # 8 s later
    after(page, fake, 16_000, 4)  # 16 s later
    after(page, fake, 30_000, 5)  # never more than 30 s apart
    after(page, fake, 30_000, 6)

    fake.status = "processing"
    page.click("#refresh")  # at once, then every second while it runs
    after(page, fake, 0, 7)
    after(page, fake, 1_000, 8)
    after(page, fake, 1_000, 9)

    fake.fail = True
    after(page, fake, 1_000, 10)  # this one fails: back off
    after(page, fake, 3_900, 10)
    after(page, fake, 200, 11)
    after(page, fake, 8_000, 12)
    expect(page.locator("#exports-error")).to_contain_text("could not be updated")

    fake.fail = False
    after(page, fake, 16_000, 13)
    expect(page.locator("#exports-error")).to_be_hidden()
    after(page, fake, 1_000, 14)  # running again: every second
