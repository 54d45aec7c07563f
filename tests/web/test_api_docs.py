"""`/docs` and `/redoc` render in Chromium with the network cut off from every other host and
the pages' Content-Security-Policy enforced: the viewers come from the service itself."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.live import LiveService

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

REDOC_LOGO = "cdn.redoc.ly/redoc/logo-mini.svg"


def offline_tab(browser: Browser, service: LiveService) -> tuple[Page, list[str]]:
    """A tab that may reach the service and nothing else; every refusal and console error is
    kept (a CSP violation is a console error)."""
    context = browser.new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    origin = urlsplit(service.base_url).netloc

    def only_the_service(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != origin:
            problems.append(f"fetched from elsewhere: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_the_service)

    def console(message: ConsoleMessage) -> None:
        # ReDoc's bundle shows a "powered by" logo from its CDN: the policy blocks it, which is
        # the point (nothing is fetched from elsewhere); the page works without it.
        if message.type == "error" and REDOC_LOGO not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/docs", "#operations-exports-createExport"),  # Swagger UI's block of the operation
        ("/redoc", 'h2:has-text("Request an export")'),  # ReDoc: the operation's heading
    ],
)
def test_the_api_docs_work_offline(
    browser: Browser, shared_service: LiveService, path: str, rendered: str
) -> None:
    page, problems = offline_tab(browser, shared_service)
    page.goto(f"{shared_service.base_url}{path}")
    page.locator(rendered).first.wait_for(state="visible")
    assert problems == []
    page.context.close()
