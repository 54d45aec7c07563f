"""job lifecycle: phase, first start, and one export per Idempotency-Key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarter_export.domain.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keys repeated before the index existed (check-then-insert lost a race): the oldest export
    # keeps its key, the later ones lose it, so the unique index can be built.
    op.execute(
        """
        UPDATE export_job SET idempotency_key = NULL
        WHERE idempotency_key IS NOT NULL AND EXISTS (
            SELECT 1 FROM export_job AS earlier
            WHERE earlier.tenant_id = export_job.tenant_id
              AND earlier.user_id = export_job.user_id
              AND earlier.idempotency_key = export_job.idempotency_key
              AND (earlier.created_at < export_job.created_at
                   OR (earlier.created_at = export_job.created_at AND earlier.id < export_job.id))
        )
        """
    )
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.add_column(sa.Column("phase", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("first_started_at", smarter_export.domain.types.UtcDateTime(), nullable=True)
        )
        batch_op.drop_index("ix_export_job_tenant_user_idempotency")
        batch_op.create_index(
            "ux_export_job_tenant_user_idempotency",
            ["tenant_id", "user_id", "idempotency_key"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.drop_index("ux_export_job_tenant_user_idempotency")
        batch_op.create_index(
            "ix_export_job_tenant_user_idempotency", ["tenant_id", "user_id", "idempotency_key"]
        )
        batch_op.drop_column("first_started_at")
        batch_op.drop_column("phase")
