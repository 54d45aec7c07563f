"""firm schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarter_export.domain.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "tenant",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subdomain", sa.String(length=63), nullable=False),
        sa.Column("plan", sa.String(length=30), server_default="standard", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column(
            "timezone", sa.String(length=64), server_default="America/New_York", nullable=False
        ),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("subdomain", name=op.f("uq_tenant_subdomain")),
    )
    op.create_table(
        "practice_area",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_practice_area_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_area")),
    )
    with op.batch_alter_table("practice_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_practice_area_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "timekeeper",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("rate", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost_rate", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("practice_area_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("annual_target_hours", sa.Integer(), server_default="1800", nullable=False),
        sa.Column("bar_admission_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_area_id"],
            ["practice_area.id"],
            name=op.f("fk_timekeeper_practice_area_id_practice_area"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_timekeeper_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timekeeper")),
    )
    with op.batch_alter_table("timekeeper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timekeeper_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "client",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contact_person_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=100), nullable=True),
        sa.Column("zip_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("primary_attorney_id", sa.String(length=36), nullable=True),
        sa.Column("onboarding_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["primary_attorney_id"],
            ["timekeeper.id"],
            name=op.f("fk_client_primary_attorney_id_timekeeper"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_client_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "timekeeper_specialty",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("timekeeper_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_timekeeper_specialty_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["timekeeper_id"],
            ["timekeeper.id"],
            name=op.f("fk_timekeeper_specialty_timekeeper_id_timekeeper"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timekeeper_specialty")),
    )
    with op.batch_alter_table("timekeeper_specialty", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timekeeper_specialty_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_timekeeper_specialty_tenant_timekeeper",
            ["tenant_id", "timekeeper_id"],
            unique=False,
        )

    op.create_table(
        "invoice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("invoice_number", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("balance", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_date", sa.Date(), nullable=True),
        sa.Column("paid_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_invoice_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_invoice_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint(
            "tenant_id", "invoice_number", name=op.f("uq_invoice_tenant_id_invoice_number")
        ),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_tenant_client_status", ["tenant_id", "client_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoice_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_invoice_tenant_status_issue_date",
            ["tenant_id", "status", "issue_date"],
            unique=False,
        )

    op.create_table(
        "matter",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("practice_area_id", sa.String(length=36), nullable=True),
        sa.Column("responsible_attorney_id", sa.String(length=36), nullable=True),
        sa.Column("originating_attorney_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("matter_number", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("billing_type", sa.String(length=20), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fixed_fee_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("is_confidential", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("open_date", sa.Date(), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_matter_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["originating_attorney_id"],
            ["timekeeper.id"],
            name=op.f("fk_matter_originating_attorney_id_timekeeper"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_area_id"],
            ["practice_area.id"],
            name=op.f("fk_matter_practice_area_id_practice_area"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_attorney_id"],
            ["timekeeper.id"],
            name=op.f("fk_matter_responsible_attorney_id_timekeeper"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_matter_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter")),
        sa.UniqueConstraint(
            "tenant_id", "matter_number", name=op.f("uq_matter_tenant_id_matter_number")
        ),
    )
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.create_index(
            "ix_matter_tenant_client_status", ["tenant_id", "client_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_matter_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("reference_number", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_payment_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_payment_tenant_invoice", ["tenant_id", "invoice_id"], unique=False
        )

    op.create_table(
        "time_entry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("timekeeper_id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("billable_status", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("activity_code", sa.String(length=10), nullable=True),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_time_entry_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_time_entry_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_time_entry_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["timekeeper_id"],
            ["timekeeper.id"],
            name=op.f("fk_time_entry_timekeeper_id_timekeeper"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
    )
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index("ix_time_entry_tenant_date", ["tenant_id", "date"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_entry_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_time_entry_tenant_matter_date", ["tenant_id", "matter_id", "date"], unique=False
        )
        batch_op.create_index(
            "ix_time_entry_tenant_timekeeper_date",
            ["tenant_id", "timekeeper_id", "date"],
            unique=False,
        )

    op.create_table(
        "invoice_line_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column(
            "created_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            smarter_export.domain.types.UtcDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=True),
        sa.Column("time_entry_id", sa.String(length=36), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("rate", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_line_item_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"], ["matter.id"], name=op.f("fk_invoice_line_item_matter_id_matter")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_invoice_line_item_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entry.id"],
            name=op.f("fk_invoice_line_item_time_entry_id_time_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line_item")),
    )
    with op.batch_alter_table("invoice_line_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_line_item_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_invoice_line_item_tenant_invoice", ["tenant_id", "invoice_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("invoice_line_item", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_line_item_tenant_invoice")
        batch_op.drop_index(batch_op.f("ix_invoice_line_item_tenant_id"))

    op.drop_table("invoice_line_item")
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_time_entry_tenant_timekeeper_date")
        batch_op.drop_index("ix_time_entry_tenant_matter_date")
        batch_op.drop_index(batch_op.f("ix_time_entry_tenant_id"))
        batch_op.drop_index("ix_time_entry_tenant_date")

    op.drop_table("time_entry")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_tenant_invoice")
        batch_op.drop_index(batch_op.f("ix_payment_tenant_id"))

    op.drop_table("payment")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_tenant_id"))
        batch_op.drop_index("ix_matter_tenant_client_status")

    op.drop_table("matter")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_tenant_status_issue_date")
        batch_op.drop_index(batch_op.f("ix_invoice_tenant_id"))
        batch_op.drop_index("ix_invoice_tenant_client_status")

    op.drop_table("invoice")
    with op.batch_alter_table("timekeeper_specialty", schema=None) as batch_op:
        batch_op.drop_index("ix_timekeeper_specialty_tenant_timekeeper")
        batch_op.drop_index(batch_op.f("ix_timekeeper_specialty_tenant_id"))

    op.drop_table("timekeeper_specialty")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_tenant_id"))

    op.drop_table("client")
    with op.batch_alter_table("timekeeper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timekeeper_tenant_id"))

    op.drop_table("timekeeper")
    with op.batch_alter_table("practice_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_area_tenant_id"))

    op.drop_table("practice_area")
    op.drop_table("tenant")
