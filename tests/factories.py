"""Keyword-only factories for the firm's rows, inserted with Core into a real database."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table

from smarter_export.domain import tables as t

_counter = itertools.count(1)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def _insert(connection: Connection, table: Table, values: dict[str, Any]) -> str:
    row = {"id": new_id(), "created_at": NOW, "updated_at": NOW, "is_deleted": False, **values}
    connection.execute(table.insert(), row)
    return str(row["id"])


def make_tenant(
    connection: Connection,
    *,
    name: str = "Firm",
    subdomain: str | None = None,
    timezone: str = "America/New_York",
    currency: str = "USD",
) -> str:
    return _insert(
        connection,
        t.tenant,
        {
            "name": name,
            "subdomain": subdomain or f"firm-{next(_counter)}",
            "timezone": timezone,
            "currency": currency,
        },
    )


def make_practice_area(connection: Connection, *, tenant_id: str, name: str = "Litigation") -> str:
    return _insert(connection, t.practice_area, {"tenant_id": tenant_id, "name": name})


def make_timekeeper(
    connection: Connection,
    *,
    tenant_id: str,
    name: str = "Ada Lovelace",
    role: str = "partner",
    rate: str = "400.00",
    cost_rate: str = "150.00",
    status: str = "active",
    practice_area_id: str | None = None,
    is_deleted: bool = False,
    annual_target_hours: int = 1800,
) -> str:
    return _insert(
        connection,
        t.timekeeper,
        {
            "tenant_id": tenant_id,
            "name": name,
            "email": f"tk{next(_counter)}@example.com",
            "role": role,
            "rate": Decimal(rate),
            "cost_rate": Decimal(cost_rate),
            "status": status,
            "practice_area_id": practice_area_id,
            "is_deleted": is_deleted,
            "annual_target_hours": annual_target_hours,
        },
    )


def make_client(
    connection: Connection,
    *,
    tenant_id: str,
    name: str = "Acme Corp",
    status: str = "active",
    type_: str = "company",
    primary_attorney_id: str | None = None,
    onboarding_date: date | None = date(2024, 1, 15),
    is_deleted: bool = False,
) -> str:
    return _insert(
        connection,
        t.client,
        {
            "tenant_id": tenant_id,
            "name": name,
            "status": status,
            "type": type_,
            "primary_attorney_id": primary_attorney_id,
            "onboarding_date": onboarding_date,
            "is_deleted": is_deleted,
        },
    )


def make_matter(
    connection: Connection,
    *,
    tenant_id: str,
    client_id: str,
    name: str = "Acme v. Roadrunner",
    matter_number: str | None = None,
    status: str = "active",
    billing_type: str = "hourly",
    practice_area_id: str | None = None,
    responsible_attorney_id: str | None = None,
    is_confidential: bool = False,
    open_date: date | None = date(2024, 2, 1),
    is_deleted: bool = False,
) -> str:
    return _insert(
        connection,
        t.matter,
        {
            "tenant_id": tenant_id,
            "client_id": client_id,
            "name": name,
            "matter_number": matter_number or f"M-{next(_counter):05d}",
            "status": status,
            "billing_type": billing_type,
            "practice_area_id": practice_area_id,
            "responsible_attorney_id": responsible_attorney_id,
            "is_confidential": is_confidential,
            "open_date": open_date,
            "is_deleted": is_deleted,
        },
    )


def make_time_entry(
    connection: Connection,
    *,
    tenant_id: str,
    timekeeper_id: str,
    matter_id: str,
    day: date = date(2024, 3, 1),
    minutes: int = 60,
    rate: str = "400.00",
    description: str = "Drafting",
    status: str = "approved",
    billable_status: str = "billable",
    activity_code: str = "L110",
    invoice_id: str | None = None,
    is_deleted: bool = False,
) -> str:
    return _insert(
        connection,
        t.time_entry,
        {
            "tenant_id": tenant_id,
            "timekeeper_id": timekeeper_id,
            "matter_id": matter_id,
            "date": day,
            "duration_minutes": minutes,
            "description": description,
            "status": status,
            "billable_status": billable_status,
            "rate": Decimal(rate),
            "activity_code": activity_code,
            "invoice_id": invoice_id,
            "is_deleted": is_deleted,
        },
    )


def make_invoice(
    connection: Connection,
    *,
    tenant_id: str,
    client_id: str,
    invoice_number: str | None = None,
    status: str = "sent",
    issue_date: date = date(2024, 4, 1),
    due_date: date = date(2024, 5, 1),
    total: str = "1000.00",
    balance: str | None = None,
    paid_date: date | None = None,
    is_deleted: bool = False,
    discount: str = "0.00",
) -> str:
    """`total` is what the client owes; the subtotal is total + discount (no tax)."""
    return _insert(
        connection,
        t.invoice,
        {
            "tenant_id": tenant_id,
            "client_id": client_id,
            "invoice_number": invoice_number or f"INV-{next(_counter):05d}",
            "status": status,
            "issue_date": issue_date,
            "due_date": due_date,
            "subtotal": Decimal(total) + Decimal(discount),
            "tax_amount": Decimal("0.00"),
            "discount": Decimal(discount),
            "total": Decimal(total),
            "balance": Decimal(balance if balance is not None else total),
            "paid_date": paid_date,
            "is_deleted": is_deleted,
        },
    )


def make_line_item(
    connection: Connection,
    *,
    tenant_id: str,
    invoice_id: str,
    matter_id: str | None = None,
    amount: str = "1000.00",
    quantity: str = "2.50",
    rate: str = "400.00",
    description: str = "Professional services",
    type_: str = "time",
    time_entry_id: str | None = None,
) -> str:
    return _insert(
        connection,
        t.invoice_line_item,
        {
            "tenant_id": tenant_id,
            "invoice_id": invoice_id,
            "matter_id": matter_id,
            "time_entry_id": time_entry_id,
            "type": type_,
            "description": description,
            "quantity": Decimal(quantity),
            "rate": Decimal(rate),
            "amount": Decimal(amount),
        },
    )


def make_payment(
    connection: Connection, *, tenant_id: str, invoice_id: str, amount: str, day: date
) -> str:
    return _insert(
        connection,
        t.payment,
        {
            "tenant_id": tenant_id,
            "invoice_id": invoice_id,
            "amount": Decimal(amount),
            "payment_date": day,
            "payment_method": "ach",
        },
    )
