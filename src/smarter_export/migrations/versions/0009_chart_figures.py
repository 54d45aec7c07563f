"""chart figures: what an analytics export's chart draws, for the Export Center's preview

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export_job") as batch_op:
        batch_op.add_column(sa.Column("chart", sa.JSON(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy: copying export_job would drop the
    # table that mail_delivery's rows point at, which SQLite's foreign keys refuse.
    op.drop_column("export_job", "chart")
