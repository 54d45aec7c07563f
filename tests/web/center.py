"""Driving the Export Center as a person does: open the link, fill the form, watch a row."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import text

from smarter_export.domain.database import make_engine
from tests.live import LiveService


def open_signed_in(page: Page, service: LiveService, token: str) -> None:
    """What the link printed by `serve --demo` does: the token rides in the fragment."""
    page.goto(f"{service.base_url}/#token={token}")
    expect(page.locator("#workspace")).to_be_visible()
    expect(page.locator("#f-dataSource option").first).to_be_attached()


def other_subdomain(service: LiveService) -> str:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return str(
                connection.execute(
                    text("SELECT subdomain FROM tenant WHERE subdomain != 'demo'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def choose(page: Page, *, source: str, format_name: str) -> None:
    page.select_option("#f-dataSource", source)
    page.check(f"input[name=format][value={format_name}]")


def submit(page: Page) -> dict[str, Any]:
    """Press Request export; the API's answer to the page's own POST."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/api/v1/export/" in r.url
    ) as answer:
        page.click("#submit")
    payload: dict[str, Any] = answer.value.json()
    return payload


def row_of(page: Page, export_id: str) -> Locator:
    return page.locator(f'#export-list li[data-export-id="{export_id}"]')


def expected_time_entries(service: LiveService, date_from: str, date_to: str) -> int:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM time_entry te JOIN matter m ON m.id = te.matter_id"
                        " WHERE te.tenant_id = :t AND NOT te.is_deleted AND NOT m.is_confidential"
                        " AND te.date BETWEEN :a AND :b"
                    ),
                    {"t": service.firm().id, "a": date_from, "b": date_to},
                ).scalar_one()
            )
    finally:
        engine.dispose()
