"""Invoices: payment status and days outstanding as of a day, paid amounts, line items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from tests.factories import (
    make_client,
    make_invoice,
    make_line_item,
    make_matter,
    make_tenant,
)
from tests.sources.support import child_rows, export_rows


def test_payment_status_days_outstanding_and_paid(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        client = make_client(c, tenant_id=tenant)
        issue, due = date(2025, 1, 1), date(2025, 1, 31)

        def invoice(number: str, **kw: object) -> None:
            make_invoice(
                c,
                tenant_id=tenant,
                client_id=client,
                invoice_number=number,
                issue_date=issue,
                due_date=due,
                **kw,  # type: ignore[arg-type]
            )

        invoice(
            "A-paid", status="paid", total="100.00", balance="0.00", paid_date=date(2025, 1, 11)
        )
        invoice("B-partial", status="partially_paid", total="100.00", balance="40.10")
        invoice("C-unpaid", status="sent", total="250.50")
        invoice("D-void", status="void", total="99.99")
        invoice("E-deleted", status="sent", is_deleted=True)
    as_of = {"asOf": "2025-01-21"}
    rows = {r["invoiceNumber"]: r for r in export_rows(engine, "invoices", tenant, as_of)}
    assert set(rows) == {"A-paid", "B-partial", "C-unpaid", "D-void"}
    assert rows["A-paid"]["paymentStatus"] == "paid"
    assert rows["A-paid"]["daysOutstanding"] == 10
    assert rows["B-partial"]["paymentStatus"] == "partially_paid"
    assert rows["B-partial"]["paid"] == Decimal("59.90")
    assert rows["B-partial"]["daysOutstanding"] == 20
    assert rows["C-unpaid"]["paymentStatus"] == "unpaid"
    assert rows["D-void"]["paymentStatus"] == "void"
    assert rows["D-void"]["paid"] == Decimal("0.00")
    assert rows["D-void"]["daysOutstanding"] is None

    later = {
        r["invoiceNumber"]: r
        for r in export_rows(engine, "invoices", tenant, {"asOf": "2025-03-01"})
    }
    assert later["B-partial"]["paymentStatus"] == "overdue"
    assert later["C-unpaid"]["daysOutstanding"] == 59
    overdue = export_rows(
        engine, "invoices", tenant, {"asOf": "2025-03-01", "paymentStatus": "overdue"}
    )
    assert {r["invoiceNumber"] for r in overdue} == {"B-partial", "C-unpaid"}


def test_line_items_follow_the_filtered_invoices(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        client = make_client(c, tenant_id=tenant)
        matter = make_matter(c, tenant_id=tenant, client_id=client, matter_number="M-1")
        secret = make_matter(
            c, tenant_id=tenant, client_id=client, matter_number="M-2", is_confidential=True
        )
        kept = make_invoice(
            c, tenant_id=tenant, client_id=client, invoice_number="I-1", issue_date=date(2025, 2, 1)
        )
        dropped = make_invoice(
            c, tenant_id=tenant, client_id=client, invoice_number="I-0", issue_date=date(2024, 2, 1)
        )
        make_line_item(c, tenant_id=tenant, invoice_id=kept, matter_id=matter, amount="123.45")
        make_line_item(c, tenant_id=tenant, invoice_id=kept, matter_id=secret, amount="1.00")
        make_line_item(c, tenant_id=tenant, invoice_id=dropped, matter_id=matter)
        other = make_tenant(c)
        other_client = make_client(c, tenant_id=other)
        other_invoice = make_invoice(c, tenant_id=other, client_id=other_client)
        make_line_item(c, tenant_id=other, invoice_id=other_invoice)
    children = child_rows(engine, "invoices", tenant, {"dateFrom": "2025-01-01"})
    assert children == {
        "line_items": [
            (
                "I-1",
                "M-1",
                "time",
                "Professional services",
                Decimal("2.50"),
                Decimal("400.00"),
                Decimal("123.45"),
            ),
        ]
    }
