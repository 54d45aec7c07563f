"""Another firm's export ids are exactly as missing as ids that never existed, everywhere."""

from __future__ import annotations

import uuid

import httpx

from tests.live import LiveService
from tests.security.conftest import Tally

EXPORT_PATHS = (
    ("GET", "/api/v1/export/status/{}"),
    ("GET", "/api/v1/export/download/{}"),
    ("DELETE", "/api/v1/export/{}"),
    ("GET", "/api/v1/export/{}/events"),
    ("GET", "/api/v1/export/{}/chart"),
)


def made_and_finished(service: LiveService, client: httpx.Client, body: dict[str, str]) -> str:
    answer = client.post("/api/v1/export/csv", json=body)
    assert answer.status_code == 202, answer.text
    export_id: str = answer.json()["data"]["exportId"]
    service.wait_for(client, export_id, ("completed",))
    return export_id


def test_other_firms_exports_are_404_like_unknown_ones(
    shared_service: LiveService, hostile: Tally
) -> None:
    mine = shared_service.client(shared_service.token(tenant="demo", user="owner"))
    theirs = shared_service.client(shared_service.token(tenant="firm-2", user="intruder"))
    export_id = made_and_finished(shared_service, mine, {"dataSource": "matters"})
    unknown = str(uuid.uuid4())
    for method, path in EXPORT_PATHS:
        other = hostile.refused_with(
            theirs.request(method, path.format(export_id)), 404, attack=f"{method} {path} cross"
        )
        missing = hostile.refused_with(
            theirs.request(method, path.format(unknown)), 404, attack=f"{method} {path} unknown"
        )
        assert (other["code"], other["message"]) == (missing["code"], missing["message"])
    # Not-an-id values are refused the same way, not with a 500 from the database.
    for junk in ("..%2F..%2Fetc%2Fpasswd", "1 OR 1=1", "%00", "x" * 300):
        hostile.refused_with(
            theirs.get(f"/api/v1/export/status/{junk}"), 404, attack=f"status of {junk[:20]}"
        )
    # The export is untouched by all that.
    assert mine.get(f"/api/v1/export/status/{export_id}").json()["data"]["status"] == "completed"


def test_the_list_shows_only_the_callers_firm(shared_service: LiveService) -> None:
    mine = shared_service.client(shared_service.token(tenant="demo", user="lister"))
    theirs = shared_service.client(shared_service.token(tenant="firm-2", user="lister"))
    export_id = made_and_finished(shared_service, mine, {"dataSource": "clients"})
    their_id = made_and_finished(shared_service, theirs, {"dataSource": "clients"})
    seen = {
        e["exportId"]
        for e in theirs.get("/api/v1/export", params={"pageSize": 100}).json()["data"]["exports"]
    }
    assert their_id in seen  # the list works for them...
    assert export_id not in seen  # ...and never shows another firm's export


def test_x_tenant_id_that_disagrees_with_the_token_is_403(
    shared_service: LiveService, hostile: Tally
) -> None:
    client = shared_service.client(shared_service.token(tenant="demo", user="spoofer"))
    other_firm = shared_service.firm("firm-2").id
    export_id = made_and_finished(shared_service, client, {"dataSource": "timekeepers"})
    for method, path, body in (
        ("GET", "/api/v1/export", None),
        ("GET", "/api/v1/export/sources", None),
        ("POST", "/api/v1/export/csv", {"dataSource": "matters"}),
        ("GET", f"/api/v1/export/status/{export_id}", None),
        ("GET", f"/api/v1/export/download/{export_id}", None),  # the same check as the rest
        ("DELETE", f"/api/v1/export/{export_id}", None),
    ):
        answer = client.request(method, path, json=body, headers={"x-tenant-id": other_firm})
        error = hostile.refused_with(answer, 403, attack=f"x-tenant-id on {method} {path}")
        assert error["code"] == "forbidden"
    # The agreeing header is fine.
    own = shared_service.firm("demo").id
    assert client.get("/api/v1/export", headers={"x-tenant-id": own}).status_code == 200
