"""delivery: export schedules (one run per due time, audit trail, export_job.schedule_id) and
webhooks (endpoints, deliveries, attempts)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from smarter_export.domain.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_schedule",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("cron", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("next_run_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_export_schedule_tenant", "export_schedule", ["tenant_id", "created_at"])
    op.create_index("ix_export_schedule_due", "export_schedule", ["active", "next_run_at"])
    op.create_table(
        "schedule_run",
        sa.Column(
            "schedule_id",
            sa.String(length=36),
            sa.ForeignKey("export_schedule.id"),
            primary_key=True,
        ),
        sa.Column("due_at", UtcDateTime(), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("export_id", sa.String(length=36), sa.ForeignKey("export_job.id"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_schedule_run_schedule_created", "schedule_run", ["schedule_id", "created_at"]
    )
    op.create_table(
        "schedule_event",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column(
            "schedule_id",
            sa.String(length=36),
            sa.ForeignKey("export_schedule.id"),
            nullable=False,
        ),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_schedule_event_schedule_created",
        "schedule_event",
        ["tenant_id", "schedule_id", "created_at"],
    )
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.add_column(sa.Column("schedule_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("notify", sa.JSON(), nullable=True))
    _create_webhooks()
    op.create_table(
        "mail_delivery",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column(
            "export_id",
            sa.String(length=36),
            sa.ForeignKey("export_job.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def _create_webhooks() -> None:
    op.create_table(
        "webhook",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_webhook_tenant", "webhook", ["tenant_id", "created_at"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), sa.ForeignKey("webhook.id"), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("export_id", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ux_webhook_delivery_export",
        "webhook_delivery",
        ["webhook_id", "export_id", "event"],
        unique=True,
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "next_attempt_at"])
    op.create_table(
        "webhook_attempt",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column(
            "delivery_id",
            sa.String(length=40),
            sa.ForeignKey("webhook_delivery.id"),
            nullable=False,
        ),
        sa.Column("attempted_at", UtcDateTime(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_webhook_attempt_delivery", "webhook_attempt", ["delivery_id", "attempted_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_attempt_delivery", table_name="webhook_attempt")
    op.drop_table("webhook_attempt")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_index("ux_webhook_delivery_export", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_tenant", table_name="webhook")
    op.drop_table("webhook")
    op.drop_table("mail_delivery")
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.drop_column("notify")
        batch_op.drop_column("schedule_id")
    op.drop_index("ix_schedule_event_schedule_created", table_name="schedule_event")
    op.drop_table("schedule_event")
    op.drop_index("ix_schedule_run_schedule_created", table_name="schedule_run")
    op.drop_table("schedule_run")
    op.drop_index("ix_export_schedule_due", table_name="export_schedule")
    op.drop_index("ix_export_schedule_tenant", table_name="export_schedule")
    op.drop_table("export_schedule")
