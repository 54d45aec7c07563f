"""Webhooks in the Export Center, for administrators: add an endpoint (its secret shown once),
send it a test, see its deliveries, delete it. A real HTTP receiver on loopback verifies every
signature with the Standard Webhooks library and the secret the page showed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook

from tests.live import LiveService
from tests.web.center import open_signed_in

pytestmark = pytest.mark.usefixtures("browser")


@dataclass
class Receiver:
    """Answers 204 to a message whose signature verifies, 401 to any other."""

    url: str
    secret: str | None = None
    verified: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((message for message in self.verified if predicate(message)), None)
            if found is not None:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no such message came: {self.verified}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                assert state.secret is not None
                Webhook(state.secret).verify(body, dict(self.headers.items()))
            except Exception:
                state.refused += 1
                self.send_response(401)
            else:
                state.verified.append(json.loads(body))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/exports")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_an_admin_adds_tests_watches_and_deletes_a_webhook(
    page: Page, web_service: LiveService, receiver: Receiver, screenshots: Path
) -> None:
    token = web_service.token(user="it-admin", role="admin")
    open_signed_in(page, web_service, token)
    section = page.locator("#webhooks")
    expect(section).to_be_visible()

    # Refused first, beside the field the API names: plain http to a private address.
    page.fill("#w-url", "http://10.1.2.3/hooks")
    page.click("#webhook-add")
    beside = page.locator('#webhook-form [data-field="url"] .field-error')
    expect(beside).to_be_visible()
    expect(beside).to_contain_text("10.1.2.3")
    expect(page.locator("#w-url")).to_be_focused()
    expect(page.locator("#webhook-errors")).to_contain_text("The webhook was not added")

    page.fill("#w-url", receiver.url)
    page.uncheck('input[name=events][value="export.failed"]')
    page.fill("#w-description", "Warehouse loader")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/export/webhooks")) as added:
        page.click("#webhook-add")
    assert added.value.status == 201, added.value.text()
    secret = page.locator("#webhook-secret .secret-value").inner_text()
    assert secret.startswith("whsec_")
    receiver.secret = secret
    expect(beside).to_be_hidden()
    item = section.locator(".webhook")
    expect(item).to_have_count(1)
    expect(item.locator(".webhook-url")).to_have_text(receiver.url)
    expect(item.locator(".export-meta")).to_contain_text("Warehouse loader · export.completed")

    item.get_by_role("button", name="Send a test to Warehouse loader").click()
    expect(item.locator(".test-result")).to_contain_text("Test delivered:")
    expect(item.locator(".test-result")).to_contain_text("HTTP 204")
    # (An export of an earlier test finishing meanwhile may be announced too: count the tests.)
    assert [m["type"] for m in receiver.verified].count("webhook.test") == 1

    # A real export of the firm is announced by the worker's sweep, signed the same way.
    with web_service.client(token) as client:
        made = client.post("/api/v1/export/csv", json={"dataSource": "timekeepers"})
        export_id = made.json()["data"]["exportId"]
    receiver.wait_for(
        lambda m: m["type"] == "export.completed" and m["data"]["exportId"] == export_id
    )
    assert receiver.refused == 0
    # The receiver has it; the attempt is on record once its answer is (wait on that state).
    with web_service.client(token) as client:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            hook_id = client.get("/api/v1/export/webhooks").json()["data"][0]["webhookId"]
            rows = client.get(f"/api/v1/export/webhooks/{hook_id}/deliveries").json()["data"]
            if any(r["exportId"] == export_id and r["status"] == "delivered" for r in rows):
                break
            time.sleep(0.1)

    item.get_by_role("button", name="Deliveries of Warehouse loader").click()
    deliveries = item.locator(".delivery")
    test = deliveries.filter(has_text="webhook.test")
    expect(test).to_have_count(1)
    expect(test.locator(".badge")).to_have_text("delivered")
    expect(test.locator(".attempt")).to_have_count(1)
    expect(test.locator(".attempt")).to_contain_text("HTTP 204")
    announced = deliveries.filter(has_text=f"export {export_id[:8]}")
    expect(announced).to_have_count(1)
    expect(announced).to_contain_text("export.completed")
    expect(announced.locator(".attempt")).to_contain_text(" ms")
    item.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "13-webhooks.png", full_page=True)
    section.screenshot(path=screenshots / "13-webhooks-panel.png")

    item.get_by_role("button", name="Delete Warehouse loader").click()
    expect(section.locator(".webhook")).to_have_count(0)
    expect(page.locator("#webhooks-empty")).to_be_visible()
    with web_service.client(token) as client:
        assert client.get("/api/v1/export/webhooks").json()["data"] == []


def test_webhooks_are_not_shown_to_someone_who_may_not_manage_them(
    page: Page, web_service: LiveService
) -> None:
    token = web_service.token(user="associate-hooks", role="user")
    with web_service.client(token) as client:
        assert client.get("/api/v1/export/webhooks").status_code == 403
    open_signed_in(page, web_service, token)
    expect(page.locator("#schedules")).to_be_visible()
    expect(page.locator("#webhooks")).to_be_hidden()
