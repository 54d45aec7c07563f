"""GET /api/v1/export/choices/{filter} over real HTTP: what the web page offers in its selects."""

from __future__ import annotations

from sqlalchemy import text

from smarter_export.domain.database import make_engine
from tests.live import LiveService

ID_FILTERS = {"practiceAreaId", "clientId", "matterId", "timekeeperId"}


def tenant_ids(service: LiveService, table: str, subdomain: str) -> set[str]:
    engine = make_engine(service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT id FROM {table} WHERE tenant_id = :t AND NOT is_deleted"),
                {"t": service.firm(subdomain).id},
            )
            return {str(row.id) for row in rows}
    finally:
        engine.dispose()


def test_sources_point_id_filters_at_their_choices(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token(user="choices")) as client:
        sources = client.get("/api/v1/export/sources").json()["data"]
        entries = next(s for s in sources if s["name"] == "time_entries")
        urls = {f["name"]: f["choicesUrl"] for f in entries["filters"] if f["choicesUrl"]}
        assert set(urls) == ID_FILTERS
        for name, url in urls.items():
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            data = answer.json()["data"]
            assert data["filter"] == name
            assert data["choices"], name
            labels = [c["label"] for c in data["choices"]]
            assert labels == sorted(labels)


def test_choices_are_only_the_callers_firms(shared_service: LiveService) -> None:
    demo = shared_service.token(user="choices-demo")
    with shared_service.client(demo) as client:
        data = client.get("/api/v1/export/choices/clientId").json()["data"]
    offered = {c["value"] for c in data["choices"]}
    assert offered == tenant_ids(shared_service, "client", "demo")
    engine = make_engine(shared_service.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            second = connection.execute(
                text("SELECT subdomain FROM tenant WHERE subdomain != 'demo'")
            ).scalar_one()
    finally:
        engine.dispose()
    others = tenant_ids(shared_service, "client", second)
    assert others
    assert not offered & others


def test_confidential_matters_need_the_permission(shared_service: LiveService) -> None:
    plain = shared_service.token(user="choices-plain", role="user", permissions=())
    cleared = shared_service.token(
        user="choices-cleared", role="user", permissions=("matters:confidential",)
    )
    with shared_service.client(plain) as client:
        seen = {
            c["value"]
            for c in client.get("/api/v1/export/choices/matterId").json()["data"]["choices"]
        }
    with shared_service.client(cleared) as client:
        seen_cleared = {
            c["value"]
            for c in client.get("/api/v1/export/choices/matterId").json()["data"]["choices"]
        }
    assert seen < seen_cleared, "the demo firm has confidential matters, shown only when cleared"


def test_unknown_filter_and_no_token(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token(user="choices-errors")) as client:
        unknown = client.get("/api/v1/export/choices/status")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    with shared_service.client() as anonymous:
        assert anonymous.get("/api/v1/export/choices/clientId").status_code == 401
