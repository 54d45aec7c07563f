"""user grants, and jobs by tenant and status

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarter_export.domain.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_grant",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", smarter_export.domain.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "user_id"),
    )
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.create_index("ix_export_job_tenant_status", ["tenant_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.drop_index("ix_export_job_tenant_status")
    op.drop_table("user_grant")
