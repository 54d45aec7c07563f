"""The form is generated from whatever /sources describes: a source it has never seen (here an
analytics source with a required metric and a multi-valued groupBy) gets fitting inputs, sends
its values under their own names, and shows the API's errors beside them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.live import LiveService

pytestmark = pytest.mark.usefixtures("browser")

ANALYTICS = {
    "name": "analytics",
    "title": "Analytics",
    "description": "Firm metrics by period.",
    "columns": [
        {"name": "period", "label": "Period", "type": "text", "default": True},
        {"name": "value", "label": "Value", "type": "decimal", "default": True},
        {"name": "target", "label": "Target", "type": "decimal", "default": False},
    ],
    "filters": [
        {
            "name": "dateFrom",
            "type": "date",
            "required": False,
            "description": None,
            "choices": None,
        }
    ],
    "options": [
        {
            "name": "metric",
            "type": "choice",
            "required": True,
            "description": "What to measure.",
            "choices": ["utilization", "realization"],
        },
        {
            "name": "groupBy",
            "type": "array",
            "required": False,
            "description": "Rows per each of these.",
            "choices": ["timekeeper", "practiceArea", "month"],
        },
    ],
    "defaultSort": [],
    "childTables": [],
}


def test_an_unseen_source_gets_its_inputs_and_its_errors(
    page: Page, web_service: LiveService
) -> None:
    sent: list[Any] = []

    def sources(route: Route) -> None:
        route.fulfill(content_type="application/json", body=json.dumps({"data": [ANALYTICS]}))

    def create(route: Route, request: Request) -> None:
        sent.append(request.post_data_json)
        refusal = {
            "error": {
                "code": "validation_error",
                "message": "Invalid request",
                "details": [{"field": "groupBy", "message": "group by at most two"}],
            }
        }
        route.fulfill(status=400, content_type="application/json", body=json.dumps(refusal))

    page.route("**/api/v1/export/sources", sources)
    page.route("**/api/v1/export/excel", create)
    page.goto(f"{web_service.base_url}/#token={web_service.token(user='analyst')}")
    expect(page.locator("#f-metric option")).to_have_text(["Utilization", "Realization"])
    expect(page.locator("#f-metric")).to_have_attribute("required", "")
    expect(page.locator("#f-groupBy")).to_have_attribute("multiple", "")
    expect(page.locator("#f-dateFrom")).to_have_attribute("type", "date")
    page.select_option("#f-metric", "realization")
    page.select_option("#f-groupBy", ["timekeeper", "month"])
    page.check("#col-target")
    page.check("input[name=format][value=excel]")
    page.click("#submit")
    beside = page.locator('[data-field="groupBy"] .field-error')
    expect(beside).to_have_text("group by at most two")
    assert sent == [
        {
            "dataSource": "analytics",
            "metric": "realization",
            "groupBy": ["timekeeper", "month"],
            "columns": ["period", "value", "target"],
        }
    ]
