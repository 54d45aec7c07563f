"""Signed links: forged, truncated, stretched, moved to another export, expired or revoked: no file."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from tests.live import LiveFactory, LiveService
from tests.security.conftest import Tally
from tests.security.test_tenancy import made_and_finished


def link_parts(url: str) -> tuple[str, dict[str, str]]:
    parts = urlparse(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_forged_truncated_stretched_and_moved_links_are_refused(
    shared_service: LiveService, hostile: Tally
) -> None:
    client = shared_service.client(shared_service.token(user="links"))
    export_id = made_and_finished(shared_service, client, {"dataSource": "timekeepers"})
    url = str(client.get(f"/api/v1/export/status/{export_id}").json()["data"]["downloadUrl"])
    path, query = link_parts(url)
    base = f"{shared_service.base_url}{path}"

    def fetch(**changes: str) -> httpx.Response:
        return httpx.get(f"{base}?{urlencode({**query, **changes})}")

    assert fetch().status_code == 200  # the genuine link works
    attacks = {
        "truncated signature": {"signature": query["signature"][:-2]},
        "forged signature": {"signature": "A" * 43},
        "empty signature": {"signature": ""},
        "stretched expiry": {"expires": str(int(query["expires"]) + 3600)},
        "expiry not a number": {"expires": "tomorrow"},
    }
    for attack, change in attacks.items():
        hostile.refused_with(fetch(**change), 400, 403, attack=attack)
    hostile.refused_with(
        httpx.get(f"{base}?expires={query['expires']}"), 403, attack="link without signature"
    )
    # The link of one export does not open another, not even of the same firm and user.
    other = made_and_finished(shared_service, client, {"dataSource": "matters"})
    moved = httpx.get(
        f"{shared_service.base_url}/api/v1/export/download/{other}?{urlencode(query)}"
    )
    hostile.refused_with(moved, 403, attack="link re-used for another export")


def test_expired_link_is_gone_and_a_deleted_export_revokes_its_link(
    live: LiveFactory, hostile: Tally
) -> None:
    service = live("expiry", SMARTER_EXPORT_LINK_TTL_SECONDS="2")
    service.start_api()
    client = service.client(service.token())
    first = made_and_finished(service, client, {"dataSource": "matters"})
    second = made_and_finished(service, client, {"dataSource": "clients"})
    first_url = str(client.get(f"/api/v1/export/status/{first}").json()["data"]["downloadUrl"])
    second_url = str(client.get(f"/api/v1/export/status/{second}").json()["data"]["downloadUrl"])
    assert httpx.get(second_url).status_code == 200
    assert client.delete(f"/api/v1/export/{second}").status_code == 200
    hostile.refused_with(httpx.get(second_url), 410, attack="link of a deleted export")
    time.sleep(2.2)
    error = hostile.refused_with(httpx.get(first_url), 410, attack="expired link")
    assert "expired" in error["message"]
