"""export schedules: the schedule, one run per due time, its audit trail; export_job.schedule_id

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


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.drop_column("schedule_id")
    op.drop_index("ix_schedule_event_schedule_created", table_name="schedule_event")
    op.drop_table("schedule_event")
    op.drop_index("ix_schedule_run_schedule_created", table_name="schedule_run")
    op.drop_table("schedule_run")
    op.drop_index("ix_export_schedule_due", table_name="export_schedule")
    op.drop_index("ix_export_schedule_tenant", table_name="export_schedule")
    op.drop_table("export_schedule")
