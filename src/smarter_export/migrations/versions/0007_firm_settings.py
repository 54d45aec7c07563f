"""firm settings: the firm's allowed e-mail domains and whether e-mail carries the signed link
(with their audit trail); the owner's address on user_grant; e-mail for a skipped schedule run

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from smarter_export.domain.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firm_export_settings",
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("allowed_email_domains", sa.JSON(), nullable=False),
        sa.Column("mail_download_links", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "firm_settings_event",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("tenant_id", sa.String(length=36), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_firm_settings_event_tenant", "firm_settings_event", ["tenant_id", "created_at"]
    )
    with op.batch_alter_table("user_grant") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
    with op.batch_alter_table("mail_delivery") as batch_op:
        batch_op.alter_column("export_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column("schedule_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("due_at", UtcDateTime(), nullable=True))
        batch_op.create_index("ux_mail_delivery_run", ["schedule_id", "due_at"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("mail_delivery") as batch_op:
        batch_op.drop_index("ux_mail_delivery_run")
        batch_op.drop_column("due_at")
        batch_op.drop_column("schedule_id")
    op.execute("DELETE FROM mail_delivery WHERE export_id IS NULL")
    with op.batch_alter_table("mail_delivery") as batch_op:
        batch_op.alter_column("export_id", existing_type=sa.String(length=36), nullable=False)
    with op.batch_alter_table("user_grant") as batch_op:
        batch_op.drop_column("email")
    op.drop_index("ix_firm_settings_event_tenant", table_name="firm_settings_event")
    op.drop_table("firm_settings_event")
    op.drop_table("firm_export_settings")
