"""The platform's data-service schema as SQLAlchemy Core tables; every table carries tenant_id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)

from smarter_export.domain.types import Hours, Money, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _uuid(name: str = "id", *args: Any, **kwargs: Any) -> Column[str]:
    return Column(name, String(36), *args, **kwargs)


def _common(tenant_scoped: bool = True) -> list[Column[Any]]:
    columns: list[Column[Any]] = [_uuid(primary_key=True)]
    if tenant_scoped:
        columns.append(_uuid("tenant_id", ForeignKey("tenant.id"), nullable=False, index=True))
    columns += [
        Column(
            "created_at", UtcDateTime(), nullable=False, server_default=func.current_timestamp()
        ),
        Column(
            "updated_at", UtcDateTime(), nullable=False, server_default=func.current_timestamp()
        ),
        Column("is_deleted", Boolean(), nullable=False, server_default=false()),
    ]
    return columns


def _ref(name: str, table: str, nullable: bool = True) -> Column[str]:
    return _uuid(name, ForeignKey(f"{table}.id"), nullable=nullable)


tenant = Table(
    "tenant",
    metadata,
    *_common(tenant_scoped=False),
    Column("name", String(200), nullable=False),
    Column("subdomain", String(63), nullable=False, unique=True),
    Column("plan", String(30), nullable=False, server_default="standard"),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("timezone", String(64), nullable=False, server_default="America/New_York"),
    Column("currency", String(3), nullable=False, server_default="USD"),
    # The firm's tax identifier (a US EIN, a VAT number): LEDES's LAW_FIRM_ID.
    Column("tax_id", String(50)),
)

practice_area = Table(
    "practice_area",
    metadata,
    *_common(),
    Column("name", String(200), nullable=False),
    Column("description", Text()),
)

timekeeper = Table(
    "timekeeper",
    metadata,
    *_common(),
    Column("user_id", String(64)),
    Column("name", String(200), nullable=False),
    Column("email", String(254)),
    Column("role", String(20), nullable=False),
    Column("title", String(200)),
    Column("rate", Money(), nullable=False),
    Column("cost_rate", Money(), nullable=False),
    _ref("practice_area_id", "practice_area"),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("annual_target_hours", Integer(), nullable=False, server_default="1800"),
    Column("bar_admission_year", Integer()),
    # The firm's own timekeeper number (LEDES's TIMEKEEPER_ID), and the name in its parts
    # (LEDES writes "Last, First").
    Column("timekeeper_number", String(20)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
)

timekeeper_specialty = Table(
    "timekeeper_specialty",
    metadata,
    *_common(),
    _ref("timekeeper_id", "timekeeper", nullable=False),
    Column("name", String(200), nullable=False),
    Index("ix_timekeeper_specialty_tenant_timekeeper", "tenant_id", "timekeeper_id"),
)

client = Table(
    "client",
    metadata,
    *_common(),
    Column("name", String(300), nullable=False),
    Column("type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("contact_person_name", String(200)),
    Column("email", String(254)),
    Column("phone", String(50)),
    Column("address", String(300)),
    Column("city", String(100)),
    Column("state", String(100)),
    Column("zip_code", String(20)),
    Column("country", String(100)),
    _ref("primary_attorney_id", "timekeeper"),
    Column("onboarding_date", Date()),
    # The firm's code for the client (LEDES's CLIENT_ID) and the client's tax identifier.
    Column("client_code", String(20)),
    Column("tax_id", String(50)),
    # The client's billing guidelines require UTBMS task codes on every fee line (an e-billing
    # client): a LEDES export refuses a fee line without one.
    Column("utbms_required", Boolean(), nullable=False, server_default=false()),
)

matter = Table(
    "matter",
    metadata,
    *_common(),
    _ref("client_id", "client", nullable=False),
    _ref("practice_area_id", "practice_area"),
    _ref("responsible_attorney_id", "timekeeper"),
    _ref("originating_attorney_id", "timekeeper"),
    Column("name", String(300), nullable=False),
    Column("description", Text()),
    Column("matter_number", String(50), nullable=False),
    Column("status", String(20), nullable=False),
    Column("billing_type", String(20), nullable=False),
    Column("hourly_rate", Money()),
    Column("fixed_fee_amount", Money()),
    Column("is_confidential", Boolean(), nullable=False, server_default=false()),
    Column("open_date", Date()),
    Column("close_date", Date()),
    # The client's own reference for the matter (LEDES's CLIENT_MATTER_ID).
    Column("client_matter_id", String(50)),
    UniqueConstraint("tenant_id", "matter_number"),
    Index("ix_matter_tenant_client_status", "tenant_id", "client_id", "status"),
)

invoice = Table(
    "invoice",
    metadata,
    *_common(),
    _ref("client_id", "client", nullable=False),
    Column("invoice_number", String(50), nullable=False),
    Column("status", String(20), nullable=False),
    Column("issue_date", Date(), nullable=False),
    Column("due_date", Date(), nullable=False),
    Column("subtotal", Money(), nullable=False),
    Column("tax_amount", Money(), nullable=False),
    Column("discount", Money(), nullable=False),
    Column("total", Money(), nullable=False),
    Column("balance", Money(), nullable=False),
    Column("notes", Text()),
    Column("sent_date", Date()),
    Column("paid_date", Date()),
    # The tax charged on (subtotal - discount): its rate (0.19 is 19 %) and kind (VAT, GST).
    Column("tax_rate", Numeric(10, 4, asdecimal=True)),
    Column("tax_type", String(20)),
    UniqueConstraint("tenant_id", "invoice_number"),
    Index("ix_invoice_tenant_status_issue_date", "tenant_id", "status", "issue_date"),
    Index("ix_invoice_tenant_client_status", "tenant_id", "client_id", "status"),
)

time_entry = Table(
    "time_entry",
    metadata,
    *_common(),
    _ref("timekeeper_id", "timekeeper", nullable=False),
    _ref("matter_id", "matter", nullable=False),
    Column("date", Date(), nullable=False),
    Column("duration_minutes", Integer(), nullable=False),
    Column("description", Text()),
    Column("status", String(20), nullable=False),
    Column("billable_status", String(20), nullable=False),
    Column("rate", Money(), nullable=False),
    # UTBMS: the task (L120, P400, B110...) and the activity (A101-A111).
    Column("activity_code", String(10)),
    _ref("invoice_id", "invoice"),
    Column("task_code", String(10)),
    Index("ix_time_entry_tenant_date", "tenant_id", "date"),
    Index("ix_time_entry_tenant_timekeeper_date", "tenant_id", "timekeeper_id", "date"),
    Index("ix_time_entry_tenant_matter_date", "tenant_id", "matter_id", "date"),
)

invoice_line_item = Table(
    "invoice_line_item",
    metadata,
    *_common(),
    _ref("invoice_id", "invoice", nullable=False),
    _ref("matter_id", "matter"),
    _ref("time_entry_id", "time_entry"),
    Column("type", String(20), nullable=False),
    Column("description", Text()),
    Column("quantity", Hours(), nullable=False),
    Column("rate", Money(), nullable=False),
    Column("amount", Money(), nullable=False),
    # What e-billing needs of a line: who did the work, when, and its UTBMS codes (task and
    # activity on fees, expense code on expenses).
    _ref("timekeeper_id", "timekeeper"),
    Column("date", Date()),
    Column("task_code", String(10)),
    Column("activity_code", String(10)),
    Column("expense_code", String(10)),
    Index("ix_invoice_line_item_tenant_invoice", "tenant_id", "invoice_id"),
)

payment = Table(
    "payment",
    metadata,
    *_common(),
    _ref("invoice_id", "invoice", nullable=False),
    Column("amount", Money(), nullable=False),
    Column("payment_date", Date(), nullable=False),
    Column("payment_method", String(20), nullable=False),
    Column("reference_number", String(100)),
    Column("notes", Text()),
    Index("ix_payment_tenant_invoice", "tenant_id", "invoice_id"),
)
