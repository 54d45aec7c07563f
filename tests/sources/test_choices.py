"""The records offered for id filters: the tenant's own, live, labelled, sorted, capped."""

from __future__ import annotations

from sqlalchemy import Engine

from smarter_export.sources.base import Scope
from smarter_export.sources.choices import LOOKUPS, fetch_choices
from smarter_export.sources.registry import SOURCES
from tests.factories import make_client, make_matter, make_practice_area, make_tenant


def test_choices_are_the_tenants_live_records_by_label(engine: Engine) -> None:
    with engine.begin() as connection:
        firm, other = make_tenant(connection), make_tenant(connection)
        zeta = make_client(connection, tenant_id=firm, name="Zeta LLC")
        alpha = make_client(connection, tenant_id=firm, name="Alpha Inc")
        make_client(connection, tenant_id=firm, name="Gone Ltd", is_deleted=True)
        make_client(connection, tenant_id=other, name="Other Firm's Client")
        found = fetch_choices(connection, "clientId", Scope(firm), limit=10)
    assert [(c.value, c.label) for c in found.choices] == [(alpha, "Alpha Inc"), (zeta, "Zeta LLC")]
    assert found.filter_name == "clientId"
    assert not found.truncated


def test_confidential_matters_only_for_those_who_may_see_them(engine: Engine) -> None:
    with engine.begin() as connection:
        firm = make_tenant(connection)
        client = make_client(connection, tenant_id=firm)
        make_matter(connection, tenant_id=firm, client_id=client, matter_number="M-1", name="Open")
        make_matter(
            connection,
            tenant_id=firm,
            client_id=client,
            matter_number="M-2",
            name="Secret",
            is_confidential=True,
        )
        plain = fetch_choices(connection, "matterId", Scope(firm), limit=10)
        cleared = fetch_choices(
            connection, "matterId", Scope(firm, include_confidential=True), limit=10
        )
    assert [c.label for c in plain.choices] == ["M-1 Open"]
    assert [c.label for c in cleared.choices] == ["M-1 Open", "M-2 Secret"]


def test_a_long_list_is_cut_at_the_limit_and_says_so(engine: Engine) -> None:
    with engine.begin() as connection:
        firm = make_tenant(connection)
        for number in range(5):
            make_practice_area(connection, tenant_id=firm, name=f"Area {number}")
        found = fetch_choices(connection, "practiceAreaId", Scope(firm), limit=3)
    assert [c.label for c in found.choices] == ["Area 0", "Area 1", "Area 2"]
    assert found.truncated


def test_every_lookup_is_a_filter_of_some_source() -> None:
    """A lookup nobody filters by would be a list of firm data with no use on the page."""
    taken = {name for source in SOURCES.values() for name in source.filter_names()}
    assert set(LOOKUPS) <= taken
