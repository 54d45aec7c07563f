"""The Export Center in headless Chromium against the real service and a real worker.

Debian's `chromium` is driven by Playwright with `executable_path` (never `playwright install`,
which downloads a browser of its own). Without /usr/bin/chromium the browser tests skip and say
why; `.ci/run` installs it first. Screenshots of the main states go to artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from smarter_export.domain.demo_data import DemoSize
from tests.live import LiveFactory, LiveService, make_template

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two firms; the first with enough time entries that a full Excel export runs seconds."""
    path = tmp_path_factory.mktemp("web-template") / "smarter_export.db"
    return make_template(path, DemoSize(tenants=2, time_entries=150_000, seed=13))


@pytest.fixture(scope="session")
def web_service(
    web_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """`serve --no-worker` and a separate `worker` process, as a firm outgrowing one box runs."""
    factory = LiveFactory(web_template, tmp_path_factory.mktemp("web"))
    # Webhooks of the page's tests are told on loopback, where the tests' receiver listens.
    service = factory(
        "web", SMARTER_EXPORT_BATCH_SIZE="500", SMARTER_EXPORT_WEBHOOK_ALLOW_LOOPBACK="true"
    )
    service.start_api(worker=False)
    service.start_worker()
    try:
        yield service
    finally:
        factory.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: the browser tests need Debian's chromium package "
            "(apt-get install -y chromium; .ci/run installs it)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab (own session storage) that fails the test on any uncaught script error."""
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True, locale="en-US")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    assert not script_errors, script_errors


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
