"""Matters, clients and timekeepers: their aggregates, child tables and filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from smarter_export.domain import tables as t
from tests.factories import (
    make_client,
    make_invoice,
    make_matter,
    make_payment,
    make_practice_area,
    make_tenant,
    make_time_entry,
    make_timekeeper,
    new_id,
)
from tests.sources.support import child_rows, export_rows


def _firm(engine: Engine) -> dict[str, str]:
    with engine.begin() as c:
        tenant = make_tenant(c)
        area = make_practice_area(c, tenant_id=tenant, name="Tax")
        ada = make_timekeeper(c, tenant_id=tenant, name="Ada", practice_area_id=area)
        make_timekeeper(c, tenant_id=tenant, name="Bob", status="inactive", role="paralegal")
        make_timekeeper(c, tenant_id=tenant, name="Gone", is_deleted=True)
        for name in ("Tax", "Appeals", "Old"):
            c.execute(
                t.timekeeper_specialty.insert(),
                {
                    "id": new_id(),
                    "tenant_id": tenant,
                    "timekeeper_id": ada,
                    "name": name,
                    "is_deleted": name == "Old",
                },
            )
        acme = make_client(c, tenant_id=tenant, name="Acme", primary_attorney_id=ada)
        make_client(c, tenant_id=tenant, name="Lead Co", status="lead")
        m1 = make_matter(
            c,
            tenant_id=tenant,
            client_id=acme,
            matter_number="M-1",
            open_date=date(2024, 1, 1),
            practice_area_id=area,
            responsible_attorney_id=ada,
        )
        make_matter(
            c,
            tenant_id=tenant,
            client_id=acme,
            matter_number="M-2",
            status="closed",
            open_date=date(2024, 6, 1),
        )
        make_matter(
            c,
            tenant_id=tenant,
            client_id=acme,
            matter_number="M-3",
            is_confidential=True,
            open_date=date(2025, 1, 1),
        )
        make_matter(c, tenant_id=tenant, client_id=acme, matter_number="M-4", is_deleted=True)
        for minutes, status in ((90, "billed"), (30, "approved"), (45, "billed")):
            make_time_entry(
                c,
                tenant_id=tenant,
                timekeeper_id=ada,
                matter_id=m1,
                minutes=minutes,
                rate="200.00",
                status=status,
            )
        make_time_entry(
            c, tenant_id=tenant, timekeeper_id=ada, matter_id=m1, minutes=600, is_deleted=True
        )
        paid = make_invoice(
            c,
            tenant_id=tenant,
            client_id=acme,
            status="partially_paid",
            total="500.00",
            balance="200.00",
        )
        make_payment(c, tenant_id=tenant, invoice_id=paid, amount="300.00", day=date(2024, 5, 1))
        make_invoice(c, tenant_id=tenant, client_id=acme, status="void", total="999.00")
        make_invoice(c, tenant_id=tenant, client_id=acme, status="draft", total="50.00")
    return {"tenant": tenant, "area": area, "ada": ada, "acme": acme}


def test_matters_with_work_to_date(engine: Engine) -> None:
    ids = _firm(engine)
    rows = export_rows(engine, "matters", ids["tenant"])
    assert [r["matterNumber"] for r in rows] == ["M-1", "M-2"]
    m1 = rows[0]
    assert m1["responsibleAttorney"] == "Ada"
    assert m1["practiceArea"] == "Tax"
    assert m1["hoursWorked"] == Decimal("2.75")
    assert m1["amountWorked"] == Decimal("550.00")
    assert m1["hoursBilled"] == Decimal("2.25")
    assert m1["amountBilled"] == Decimal("450.00")
    assert rows[1]["hoursWorked"] == Decimal("0.00")
    active = export_rows(engine, "matters", ids["tenant"], {"activeOnly": True})
    assert [r["matterNumber"] for r in active] == ["M-1"]
    with_secret = export_rows(engine, "matters", ids["tenant"], include_confidential=True)
    assert [r["matterNumber"] for r in with_secret] == ["M-1", "M-2", "M-3"]


def test_clients_with_matter_history_and_money(engine: Engine) -> None:
    ids = _firm(engine)
    rows = {r["name"]: r for r in export_rows(engine, "clients", ids["tenant"])}
    acme = rows["Acme"]
    assert acme["primaryAttorney"] == "Ada"
    assert acme["mattersTotal"] == 2  # M-3 is confidential, M-4 deleted
    assert acme["mattersOpen"] == 1
    assert acme["firstMatterDate"] == date(2024, 1, 1)
    assert acme["latestMatterDate"] == date(2024, 6, 1)
    assert acme["lifetimeBilled"] == Decimal("500.00")  # void and draft are not billed
    assert acme["lifetimeCollected"] == Decimal("300.00")
    assert acme["outstanding"] == Decimal("200.00")
    assert rows["Lead Co"]["mattersTotal"] == 0
    assert rows["Lead Co"]["lifetimeBilled"] == Decimal("0.00")
    active = export_rows(engine, "clients", ids["tenant"], {"activeOnly": "true"})
    assert [r["name"] for r in active] == ["Acme"]
    children = child_rows(engine, "clients", ids["tenant"])["client_matters"]
    assert [(row[0], row[1]) for row in children] == [("Acme", "M-1"), ("Acme", "M-2")]


def test_timekeepers_with_specialties(engine: Engine) -> None:
    ids = _firm(engine)
    rows = export_rows(engine, "timekeepers", ids["tenant"])
    assert [r["name"] for r in rows] == ["Ada", "Bob"]
    assert rows[0]["specialties"] == "Appeals; Tax"
    assert rows[0]["rate"] == Decimal("400.00")
    assert rows[1]["specialties"] is None
    active = export_rows(engine, "timekeepers", ids["tenant"], {"activeOnly": True})
    assert [r["name"] for r in active] == ["Ada"]
    in_area = export_rows(engine, "timekeepers", ids["tenant"], {"practiceAreaId": ids["area"]})
    assert [r["name"] for r in in_area] == ["Ada"]
    assert export_rows(engine, "timekeepers", make_other_tenant(engine)) == []


def make_other_tenant(engine: Engine) -> str:
    with engine.begin() as c:
        return make_tenant(c)
