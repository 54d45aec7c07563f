"""The OpenAPI document says what the service does: names, enums from the registries, answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from smarter_export.api.app import create_app
from smarter_export.formats.registry import FORMATS
from smarter_export.settings import Settings
from smarter_export.sources.registry import SOURCES
from tests.live import LiveService


def document_of(service: LiveService) -> dict[str, Any]:
    with service.client() as client:
        return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def test_every_operation_is_named_by_hand_in_camel_case(tmp_path: Any) -> None:
    app = create_app(Settings(data_dir=tmp_path, environment="development"), run_worker=False)
    unnamed = [
        r.path
        for r in app.routes
        if isinstance(r, APIRoute) and r.include_in_schema and not r.operation_id
    ]
    assert unnamed == []
    ids = [
        operation["operationId"]
        for path in app.openapi()["paths"].values()
        for operation in path.values()
    ]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i) for i in ids), ids
    assert {
        "createExport",
        "getExportStatus",
        "listExports",
        "cancelExport",
        "downloadExport",
    } <= set(ids)


def test_formats_and_sources_are_the_registries(shared_service: LiveService) -> None:
    document = document_of(shared_service)
    create = document["paths"]["/api/v1/export/{format}"]["post"]
    (format_parameter,) = [p for p in create["parameters"] if p["name"] == "format"]
    names = {n for f in FORMATS for n in (f.name, *f.aliases)}
    assert set(format_parameter["schema"]["enum"]) == names
    body = document["components"]["schemas"]["ExportRequest"]
    assert set(body["discriminator"]["mapping"]) == set(SOURCES)
    entries = document["components"]["schemas"]["TimeEntriesExportRequest"]
    assert entries["additionalProperties"] is False
    assert entries["properties"]["dataSource"]["enum"] == ["time_entries"]
    assert "billableStatus" in entries["properties"]
    assert "422" not in create["responses"]
    assert create["responses"]["202"]["links"]["getExportStatus"]["parameters"] == {
        "export_id": "$response.body#/data/exportId"
    }
    download = document["paths"]["/api/v1/export/download/{export_id}"]["get"]
    assert set(download["responses"]["200"]["content"]) >= {f.file.content_type for f in FORMATS}
    create_schedule = document["paths"]["/api/v1/export/schedules"]["post"]["requestBody"]
    schedule = create_schedule["content"]["application/json"]["schema"]["properties"]
    assert set(schedule["format"]["enum"]) == names
    assert set(schedule["dataSource"]["enum"]) == set(SOURCES)
    assert "previousQuarter" in schedule["period"]["enum"]


def test_the_service_answers_as_documented(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token(user="documented")) as client:
        metrics = client.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        refused = client.request("TRACE", "/api/v1/export/formats")
        assert refused.status_code == 405
        assert refused.headers["Allow"] == "GET"
        assert refused.json()["error"]["code"] == "method_not_allowed"
        assert client.put("/api/v1/export/schedules/x").headers["Allow"] == "DELETE, GET, PATCH"
        unknown = client.post("/api/v1/export/0", json={"dataSource": "timekeepers"})
        assert unknown.status_code == 400
        assert unknown.json()["error"]["details"][0]["field"] == "format"


def test_docs_and_redoc_need_nothing_from_elsewhere(shared_service: LiveService) -> None:
    with shared_service.client() as client:
        for page in ("/docs", "/redoc"):
            answer = client.get(page)
            assert answer.status_code == 200
            policy = answer.headers["Content-Security-Policy"]
            assert (
                "script-src 'self';" in policy
                and "unsafe-inline" not in policy.split("style-src")[0]
            )
            assert "http" not in answer.text  # no CDN, no other host
            for asset in re.findall(r'(?:src|href)="([^"]+)"', answer.text):
                assert client.get(asset).status_code == 200, asset
        assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
