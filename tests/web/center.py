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


def expected_time_entries(
    service: LiveService, date_from: str, date_to: str, *, confidential: bool = False
) -> int:
    """The firm's time entries in the period: those a person without clearance sees, or (with
    `confidential`) those withheld from them."""
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM time_entry te JOIN matter m ON m.id = te.matter_id"
                        " WHERE te.tenant_id = :t AND NOT te.is_deleted"
                        " AND m.is_confidential = :confidential AND te.date BETWEEN :a AND :b"
                    ),
                    {
                        "t": service.firm().id,
                        "a": date_from,
                        "b": date_to,
                        "confidential": confidential,
                    },
                ).scalar_one()
            )
    finally:
        engine.dispose()


CREATED = "2026-11-29T09:00:00+00:00"


def view(number: int, status: str, **overrides: Any) -> dict[str, Any]:
    """An export as the API shows it (ExportView), for pages given answers by the test."""
    export_id = f"00000000-0000-4000-8000-{number:012d}"
    rows_total = overrides.pop("rows_total", 10_000)
    rows_done = overrides.pop("rows_done", rows_total if status == "completed" else 0)
    done = status == "completed"
    return {
        "exportId": export_id,
        "status": status,
        "dataSource": "time_entries",
        "format": "csv",
        "statusUrl": f"/api/v1/export/status/{export_id}",
        "progress": {
            "percent": 100.0 * rows_done / rows_total if rows_total else 0.0,
            "rowsProcessed": rows_done,
            "rowsTotal": rows_total,
        },
        "estimatedCompletionAt": None,
        "createdAt": CREATED,
        "startedAt": None if status == "pending" else CREATED,
        "completedAt": CREATED if done else None,
        "expiresAt": "2026-11-30T09:00:00+00:00" if done else None,
        "attempts": 1,
        "cancelRequested": False,
        "downloadUrl": f"/api/v1/export/download/{export_id}?expires=1&signature=x"
        if done
        else None,
        "file": {
            "name": "t.csv",
            "sizeBytes": 2_500_000,
            "sha256": "0" * 64,
            "contentType": "text/csv",
        }
        if done
        else None,
        "partial": False,
        "warnings": [],
        "error": None,
        "parameters": {"columns": ["date"], "sort": ["date"]},
        **overrides,
    }
