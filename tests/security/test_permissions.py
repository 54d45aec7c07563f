"""What a caller may take: sources by permission and role, confidential matters, and the same
checks again at download, against the caller's grants of now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.api.test_round_trip import live_count
from tests.live import LiveService
from tests.readers import csv_tables, xlsx_sheets
from tests.security.conftest import Tally

RESTRICTED = {"invoices", "analytics"}


def sources_for(service: LiveService, token: str) -> set[str]:
    with service.client(token) as client:
        return {s["name"] for s in client.get("/api/v1/export/sources").json()["data"]}


def test_role_defaults_and_grants_decide_the_sources(
    shared_service: LiveService, hostile: Tally
) -> None:
    everything = sources_for(shared_service, shared_service.token(role="admin", permissions=()))
    assert {"matters", "clients", "timekeepers", "time_entries", "invoices"} <= everything
    user = shared_service.token(role="user", permissions=(), user="plain")
    assert sources_for(shared_service, user) == everything - RESTRICTED
    granted = shared_service.token(role="user", permissions=("export:invoices",), user="billing")
    assert sources_for(shared_service, granted) == (everything - RESTRICTED) | {"invoices"}
    # An unknown role gets the user's defaults, never more.
    stranger = shared_service.token(role="superuser", permissions=(), user="stranger")
    assert sources_for(shared_service, stranger) == everything - RESTRICTED

    with shared_service.client(user) as client:
        for source in sorted(RESTRICTED):
            answer = client.post("/api/v1/export/csv", json={"dataSource": source})
            error = hostile.refused_with(answer, 403, attack=f"user exports {source}")
            assert source in error["message"]
    with shared_service.client(granted) as client:
        assert client.post("/api/v1/export/csv", json={"dataSource": "invoices"}).status_code == 202


def test_a_permission_withdrawn_after_creation_blocks_the_file(
    shared_service: LiveService, hostile: Tally
) -> None:
    now = datetime.now(UTC)
    before = shared_service.token(
        role="user", permissions=("export:invoices",), user="leaver", now=now - timedelta(minutes=5)
    )
    after = shared_service.token(role="user", permissions=(), user="leaver", now=now)
    regranted = shared_service.token(
        role="user", permissions=("export:invoices",), user="leaver", now=now + timedelta(seconds=1)
    )
    with shared_service.client(before) as client:
        export_id = client.post("/api/v1/export/csv", json={"dataSource": "invoices"}).json()[
            "data"
        ]["exportId"]
        done = shared_service.wait_for(client, export_id, ("completed",))
    link = str(done["downloadUrl"])
    assert httpx.get(link).status_code == 200  # while the grant holds, the link works

    with shared_service.client(after) as client:
        # The newer token is seen; its status hands out no link, and the file is refused.
        assert (
            client.get(f"/api/v1/export/status/{export_id}").json()["data"]["downloadUrl"] is None
        )
        hostile.refused_with(
            client.get(f"/api/v1/export/download/{export_id}"),
            403,
            attack="revoked bearer download",
        )
    hostile.refused_with(httpx.get(link), 403, attack="revoked user's signed link")
    # The older token, still unexpired, cannot give back what the newer one took away.
    with shared_service.client(before) as client:
        client.get("/api/v1/export")
    hostile.refused_with(httpx.get(link), 403, attack="older token replayed to restore a link")
    # Granted again by a newer token: the link works again (the check is not a blanket refusal).
    with shared_service.client(regranted) as client:
        client.get("/api/v1/export")
    assert httpx.get(link).status_code == 200


def test_confidential_rows_are_withheld_and_counted(
    shared_service: LiveService, hostile: Tally
) -> None:
    confidential = live_count(
        shared_service,
        "SELECT count(*) FROM time_entry te JOIN matter m ON m.id = te.matter_id "
        "WHERE te.tenant_id = :t AND NOT te.is_deleted AND m.is_confidential",
    )
    visible = live_count(
        shared_service,
        "SELECT count(*) FROM time_entry te JOIN matter m ON m.id = te.matter_id "
        "WHERE te.tenant_id = :t AND NOT te.is_deleted AND NOT m.is_confidential",
    )
    assert confidential > 0 and visible > 0
    body = {"dataSource": "time_entries"}
    plain = shared_service.token(role="admin", permissions=("export:*",), user="no-secrets")
    cleared = shared_service.token(
        role="user", permissions=("matters:confidential",), user="cleared"
    )
    with shared_service.client(plain) as client:
        made = client.post("/api/v1/export/excel", json=body).json()["data"]["exportId"]
        done = shared_service.wait_for(client, made, ("completed",))
        sheets = xlsx_sheets(httpx.get(str(done["downloadUrl"])).content)
    warning = f"{confidential:,} rows under confidential matters were withheld"
    assert any(warning in w for w in done["warnings"]), done["warnings"]  # type: ignore[attr-defined]
    info = [row for row in sheets["Export info"] if row and row[0] == "Warning"]
    assert any(warning in str(row[1]) for row in info), info
    assert done["progress"]["rowsTotal"] == visible  # type: ignore[index]

    with shared_service.client(cleared) as client:
        made_cleared = client.post("/api/v1/export/csv", json=body).json()["data"]["exportId"]
        done_cleared = shared_service.wait_for(client, made_cleared, ("completed",))
        rows = csv_tables(client.get(f"/api/v1/export/download/{made_cleared}").content)
    assert done_cleared["warnings"] == []
    assert len(next(iter(rows.values()))) - 1 == visible + confidential

    # A colleague without the clearance gets neither the link nor the file of that export.
    with shared_service.client(plain) as client:
        status = client.get(f"/api/v1/export/status/{made_cleared}").json()["data"]
        assert status["downloadUrl"] is None
        hostile.refused_with(
            client.get(f"/api/v1/export/download/{made_cleared}"),
            403,
            attack="confidential export fetched by an uncleared colleague",
        )
