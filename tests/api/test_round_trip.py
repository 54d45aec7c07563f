"""Create, poll, download over real HTTP, for every source and format, read back independently."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from smarter_export.domain.database import make_engine
from tests.live import LiveFactory, LiveService
from tests.readers import csv_tables, pdf_pages, xlsx_sheets
from tests.servers.stack import ScaledStack

SOURCES = ["matters", "clients", "timekeepers", "time_entries", "invoices"]
STACKS = ["one-machine", "postgresql+redis+s3"]


@pytest.fixture(scope="module", params=STACKS)
def shared_service(
    request: pytest.FixtureRequest,
    demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveService]:
    """The whole round trip on each stack: one API with its worker on SQLite, a local folder
    and SqliteHuey; or an API and two `worker` processes on PostgreSQL, Redis and S3."""
    factory = LiveFactory(demo_template, tmp_path_factory.mktemp("shared"))
    try:
        if request.param == "one-machine":
            factory("shared").start_api()
            yield factory.started[0]
            return
        stack: ScaledStack = request.getfixturevalue("scaled_stack")
        service = factory("scaled", **stack.parts().env)
        service.start_worker()
        service.start_worker()
        service.start_api(worker=False)
        yield service
    finally:
        factory.close()


def create(
    client: httpx.Client, format_name: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return client.post(f"/api/v1/export/{format_name}", json=body, headers=headers)


def run_to_completion(
    service: LiveService, client: httpx.Client, format_name: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    answer = create(client, format_name, body)
    assert answer.status_code == 202, answer.text
    created = answer.json()["data"]
    assert created["status"] == "pending"
    assert answer.headers["Location"] == created["statusUrl"]
    done = service.wait_for(client, created["exportId"], ("completed", "failed"))
    assert done["status"] == "completed", done
    # The link alone is enough: no Authorization header, as window.location.href would do.
    download = httpx.get(str(done["downloadUrl"]), timeout=30, follow_redirects=True)
    assert download.status_code == 200, download.text
    if download.history:  # object storage: our link checked, then a fresh presigned URL
        (hop,) = download.history
        assert hop.status_code == 307
        assert "X-Amz-Signature=" in hop.headers["location"]
    assert download.headers["content-disposition"].startswith("attachment")
    assert hashlib.sha256(download.content).hexdigest() == done["file"]["sha256"]  # type: ignore[index]
    assert len(download.content) == done["file"]["sizeBytes"]  # type: ignore[index]
    return done, download.content


def live_count(service: LiveService, sql: str) -> int:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql), {"t": service.firm().id}).scalar_one())
    finally:
        engine.dispose()


EXPECTED_SQL = {
    "matters": "SELECT count(*) FROM matter WHERE tenant_id = :t AND NOT is_deleted AND NOT is_confidential",
    "clients": "SELECT count(*) FROM client WHERE tenant_id = :t AND NOT is_deleted",
    "timekeepers": "SELECT count(*) FROM timekeeper WHERE tenant_id = :t AND NOT is_deleted",
    "time_entries": (
        "SELECT count(*) FROM time_entry te JOIN matter m ON m.id = te.matter_id "
        "WHERE te.tenant_id = :t AND NOT te.is_deleted AND NOT m.is_confidential"
    ),
    "invoices": "SELECT count(*) FROM invoice WHERE tenant_id = :t AND NOT is_deleted",
}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("format_name", ["csv", "excel", "pdf"])
def test_every_source_and_format_round_trip(
    shared_service: LiveService, source: str, format_name: str
) -> None:
    expected = live_count(shared_service, EXPECTED_SQL[source])
    assert expected > 0
    # A plain user token: may export these sources, sees no confidential matters.
    permissions = ("export:invoices",) if source == "invoices" else ()
    token = shared_service.token(role="user", permissions=permissions, user=f"u-{source}")
    with shared_service.client(token) as client:
        done, content = run_to_completion(
            shared_service, client, format_name, {"dataSource": source}
        )
    assert done["progress"] == {
        "percent": 100.0,
        "rowsProcessed": expected,
        "rowsTotal": expected,
        "phase": None,
    }
    if format_name == "csv":
        tables = csv_tables(content)
        main = tables.get("main") or tables[source]
        assert len(main) == expected + 1
    elif format_name == "excel":
        sheets = xlsx_sheets(content)
        assert list(sheets)[-1] == "Export info"  # the data first, the info last
        data_sheet = next(iter(sheets.values()))
        totals = 1 if data_sheet and data_sheet[-1] and data_sheet[-1][0] == "Total" else 0
        assert len(data_sheet) - 1 - totals == expected
    else:
        pages = pdf_pages(content)
        assert pages
        assert f"Page 1 of {len(pages)}" in " ".join(pages[0].split())


def test_specification_example_works_with_a_bearer_token(shared_service: LiveService) -> None:
    """The seed's fetch() example, plus the bearer token: same shapes, same fields."""
    firm = shared_service.firm()
    token = shared_service.token()
    practice_area = live_count(
        shared_service, "SELECT count(*) FROM practice_area WHERE tenant_id = :t"
    )
    assert practice_area > 0
    with shared_service.client(token) as client:
        answer = client.post(
            "/api/v1/export/csv",
            headers={"Content-Type": "application/json", "x-tenant-id": firm.id},
            content=b'{"dataSource": "timekeepers", "activeOnly": true}',
        )
        assert answer.status_code == 202, answer.text
        export_id = answer.json()["data"]["exportId"]
        status = client.get(f"/api/v1/export/status/{export_id}", headers={"x-tenant-id": firm.id})
        assert status.status_code == 200
        data = shared_service.wait_for(client, export_id, ("completed",))
    assert data["downloadUrl"]
    assert httpx.get(str(data["downloadUrl"]), follow_redirects=True).status_code == 200


def test_list_is_newest_first_and_paginated(shared_service: LiveService) -> None:
    token = shared_service.token(user="lister")
    with shared_service.client(token) as client:
        ids = [
            create(client, "csv", {"dataSource": "timekeepers", "fileName": f"list {n}"}).json()[
                "data"
            ]["exportId"]
            for n in range(3)
        ]
        page = client.get("/api/v1/export", params={"pageSize": 2}).json()["data"]
        assert page["pagination"]["pageSize"] == 2
        assert page["pagination"]["total"] >= 3
        listed = [e["exportId"] for e in page["exports"]]
        assert listed == [ids[2], ids[1]]
        second = client.get("/api/v1/export", params={"pageSize": 2, "page": 2}).json()["data"]
        assert second["exports"][0]["exportId"] == ids[0]
        for export_id in ids:
            shared_service.wait_for(client, export_id, ("completed",))
        done = client.get("/api/v1/export", params={"status": "completed", "pageSize": 100})
        assert set(ids) <= {e["exportId"] for e in done.json()["data"]["exports"]}


def test_sources_describe_columns_and_filters(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token()) as client:
        sources = {s["name"]: s for s in client.get("/api/v1/export/sources").json()["data"]}
    assert set(sources) == {*SOURCES, "analytics"}
    metrics = {m["name"]: m for m in sources["analytics"]["metrics"]}
    assert len(metrics) == 8
    assert metrics["ar_aging"]["groupBy"] == ["client", "firm"]
    assert metrics["collection_realization"]["groupBy"] == [
        "timekeeper",
        "matter",
        "client",
        "practice_area",
        "month",
    ]
    assert [c["name"] for c in metrics["collection_realization"]["columns"]] == [
        "billedAmount",
        "collected",
        "standardValue",
        "collectionRealization",
    ]
    assert metrics["utilization"]["definition"].startswith("Utilization = billable hours")
    assert [c["name"] for c in metrics["collection"]["columns"]] == [
        "collected",
        "invoiced",
        "collectionRate",
    ]
    analytics_filters = {f["name"]: f for f in sources["analytics"]["filters"]}
    assert analytics_filters["metric"]["required"] and analytics_filters["dateFrom"]["required"]
    filters = {f["name"]: f for f in sources["time_entries"]["filters"]}
    assert filters["dateFrom"]["type"] == "date"
    assert filters["billableStatus"]["choices"] == ["billable", "non_billable", "no_charge"]
    assert sources["invoices"]["childTables"] == ["line_items"]
