"""Time entries: tenant scope, soft deletes, confidentiality, filters, exact hours and amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from tests.factories import (
    make_client,
    make_invoice,
    make_matter,
    make_practice_area,
    make_tenant,
    make_time_entry,
    make_timekeeper,
)
from tests.sources.support import export_rows


def _firm(engine: Engine) -> dict[str, str]:
    with engine.begin() as c:
        tenant = make_tenant(c)
        area = make_practice_area(c, tenant_id=tenant, name="Tax")
        tk = make_timekeeper(c, tenant_id=tenant, name="Zoë Müller-Ørsted", rate="350.00")
        client = make_client(c, tenant_id=tenant, name='=HYPERLINK("http://x","y")')
        matter = make_matter(
            c, tenant_id=tenant, client_id=client, matter_number="007", practice_area_id=area
        )
        secret = make_matter(c, tenant_id=tenant, client_id=client, is_confidential=True)
        invoice = make_invoice(c, tenant_id=tenant, client_id=client, invoice_number="INV-9")
        ids = {"tenant": tenant, "area": area, "tk": tk, "client": client, "matter": matter}
        ids["first"] = make_time_entry(
            c,
            tenant_id=tenant,
            timekeeper_id=tk,
            matter_id=matter,
            day=date(2024, 1, 2),
            minutes=37,
            rate="350.00",
            invoice_id=invoice,
            status="billed",
        )
        ids["second"] = make_time_entry(
            c,
            tenant_id=tenant,
            timekeeper_id=tk,
            matter_id=matter,
            day=date(2024, 2, 3),
            minutes=6,
            rate="0.05",
            billable_status="no_charge",
            description='Call "A"\nnext',
        )
        ids["deleted"] = make_time_entry(
            c, tenant_id=tenant, timekeeper_id=tk, matter_id=matter, is_deleted=True
        )
        ids["secret"] = make_time_entry(c, tenant_id=tenant, timekeeper_id=tk, matter_id=secret)
        other = make_tenant(c)
        other_tk = make_timekeeper(c, tenant_id=other)
        other_client = make_client(c, tenant_id=other)
        other_matter = make_matter(c, tenant_id=other, client_id=other_client)
        ids["other"] = make_time_entry(
            c, tenant_id=other, timekeeper_id=other_tk, matter_id=other_matter
        )
        ids["other_tenant"] = other
    return ids


def test_rows_typed_in_order_and_scoped(engine: Engine) -> None:
    ids = _firm(engine)
    rows = export_rows(engine, "time_entries", ids["tenant"])
    assert [r["date"] for r in rows] == [date(2024, 1, 2), date(2024, 2, 3)]
    first, second = rows
    assert first["timekeeper"] == "Zoë Müller-Ørsted"
    assert first["matterNumber"] == "007"
    # 37 minutes = 0.6166.. h -> 0.62; 350.00 x 37 / 60 = 215.8333.. -> 215.83
    assert first["hours"] == Decimal("0.62")
    assert first["amount"] == Decimal("215.83")
    assert first["rate"] == Decimal("350.00")
    assert first["invoiceNumber"] == "INV-9"
    # 0.05 x 6 / 60 = 0.005 -> half up to 0.01, exactly (no float rounding down)
    assert second["amount"] == Decimal("0.01")
    assert second["description"] == 'Call "A"\nnext'
    assert all(isinstance(r["amount"], Decimal) for r in rows)


def test_other_tenant_deleted_and_confidential_rows_never_appear(engine: Engine) -> None:
    ids = _firm(engine)
    chosen = {"columns": "timeEntryId"}
    seen = {r["timeEntryId"] for r in export_rows(engine, "time_entries", ids["tenant"], chosen)}
    assert seen == {ids["first"], ids["second"]}
    other = {
        r["timeEntryId"] for r in export_rows(engine, "time_entries", ids["other_tenant"], chosen)
    }
    assert other == {ids["other"]}


def test_confidential_rows_appear_only_with_permission(engine: Engine) -> None:
    ids = _firm(engine)
    seen = export_rows(
        engine, "time_entries", ids["tenant"], {"columns": "timeEntryId"}, include_confidential=True
    )
    assert {r["timeEntryId"] for r in seen} == {ids["first"], ids["second"], ids["secret"]}


def test_filters_select_the_right_rows(engine: Engine) -> None:
    ids = _firm(engine)

    def entry_ids(**params: object) -> set[object]:
        params["columns"] = "timeEntryId"
        return {
            r["timeEntryId"] for r in export_rows(engine, "time_entries", ids["tenant"], params)
        }

    assert entry_ids(dateFrom="2024-02-01") == {ids["second"]}
    assert entry_ids(dateTo="2024-01-02") == {ids["first"]}
    assert entry_ids(billableStatus="no_charge") == {ids["second"]}
    assert entry_ids(status="billed") == {ids["first"]}
    assert entry_ids(practiceAreaId=ids["area"]) == {ids["first"], ids["second"]}
    assert entry_ids(clientId=ids["client"], matterId=ids["matter"], timekeeperId=ids["tk"]) == {
        ids["first"],
        ids["second"],
    }
    # Another firm's id as a filter finds nothing, rather than that firm's rows.
    assert entry_ids(timekeeperId=ids["other_tenant"]) == set()


def test_columns_and_sort_are_honoured(engine: Engine) -> None:
    ids = _firm(engine)
    rows = export_rows(
        engine, "time_entries", ids["tenant"], {"columns": ["amount", "date"], "sort": "-date"}
    )
    assert [list(r) for r in rows] == [["amount", "date"]] * 2
    assert [r["date"] for r in rows] == [date(2024, 2, 3), date(2024, 1, 2)]
