"""Every bad request gets a clear error naming the field; other tenants' exports do not exist."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.live import LiveService


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["requestId"] and error["timestamp"] and error["code"] and error["message"]
    assert answer.headers["X-Request-ID"] == error["requestId"]
    return error


def fields(error: dict[str, Any]) -> set[str]:
    return {detail["field"] for detail in error["details"]}


@pytest.fixture
def client(shared_service: LiveService) -> httpx.Client:
    return shared_service.client(shared_service.token(user="errors"))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/export/docx", {"dataSource": "matters"}, "format"),
        ("/api/v1/export/csv", {"dataSource": "payroll"}, "dataSource"),
        ("/api/v1/export/csv", {}, "dataSource"),
        ("/api/v1/export/csv", {"dataSource": "matters", "colour": "red"}, "colour"),
        (
            "/api/v1/export/csv",
            {"dataSource": "time_entries", "dateFrom": "2024-02-30"},
            "dateFrom",
        ),
        (
            "/api/v1/export/csv",
            {"dataSource": "time_entries", "dateFrom": "2024-05-01", "dateTo": "2024-01-01"},
            "dateTo",
        ),
        ("/api/v1/export/csv", {"dataSource": "matters", "columns": ["name", "salary"]}, "columns"),
        ("/api/v1/export/csv", {"dataSource": "matters", "sort": "salary"}, "sort"),
        ("/api/v1/export/csv", {"dataSource": "matters", "clientId": "x' OR 1=1 --"}, "clientId"),
        ("/api/v1/export/csv", {"dataSource": "matters", "timezone": "Mars/Olympus"}, "timezone"),
        ("/api/v1/export/csv", {"dataSource": "matters", "activeOnly": "perhaps"}, "activeOnly"),
    ],
)
def test_bad_create_names_the_field(
    client: httpx.Client, path: str, body: dict[str, Any], field: str
) -> None:
    error = error_of(client.post(path, json=body), 400)
    assert field in fields(error)
    assert error["code"] == "validation_error"


def test_body_must_be_a_json_object_under_64_kb(client: httpx.Client) -> None:
    not_json = client.post("/api/v1/export/csv", content=b"{dataSource: matters")
    assert fields(error_of(not_json, 400)) == {"body"}
    a_list = client.post("/api/v1/export/csv", json=["matters"])
    assert fields(error_of(a_list, 400)) == {"body"}
    huge = {"dataSource": "matters", "padding": "x" * 70_000}
    assert (
        error_of(client.post("/api/v1/export/csv", json=huge), 413)["code"] == "payload_too_large"
    )


def test_bad_page_size_and_status_name_the_parameter(client: httpx.Client) -> None:
    assert "pageSize" in fields(error_of(client.get("/api/v1/export?pageSize=1000"), 400))
    assert "status" in fields(error_of(client.get("/api/v1/export?status=lost"), 400))


def test_download_before_completion_is_409_with_retry_after(live: Any) -> None:
    service: LiveService = live("idle")
    service.start_api(worker=False)  # nobody runs the export: it stays pending
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()["data"][
        "exportId"
    ]
    answer = client.get(f"/api/v1/export/download/{export_id}")
    assert error_of(answer, 409)["code"] == "not_ready"
    assert int(answer.headers["Retry-After"]) > 0


def test_expired_link_and_file_are_410(live: Any) -> None:
    service: LiveService = live(
        "expiry", SMARTER_EXPORT_LINK_TTL_SECONDS="2", SMARTER_EXPORT_RETENTION_SECONDS="3"
    )
    service.start_api()
    client = service.client(service.token())
    export_id = client.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()["data"][
        "exportId"
    ]
    done = service.wait_for(client, export_id, ("completed",))
    url = str(done["downloadUrl"])
    stored = list((service.data_dir / "files").rglob("*.csv"))
    assert len(stored) == 1
    assert httpx.get(url).status_code == 200
    time.sleep(2.5)
    assert error_of(httpx.get(url), 410)["code"] == "gone"
    expired = service.wait_for(client, export_id, ("expired",), timeout=20)
    assert expired["downloadUrl"] is None
    assert not stored[0].exists()
    assert error_of(client.get(f"/api/v1/export/download/{export_id}"), 410)
    events = [e["event"] for e in client.get(f"/api/v1/export/{export_id}/events").json()["data"]]
    assert events[:3] == ["created", "started", "completed"]
    assert events[-1] == "expired"
    assert "downloaded" in events
