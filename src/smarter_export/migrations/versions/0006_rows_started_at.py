"""rows started at: when an attempt began writing rows, for the pace of the estimate

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarter_export.domain.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.add_column(
            sa.Column("rows_started_at", smarter_export.domain.types.UtcDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.drop_column("rows_started_at")
