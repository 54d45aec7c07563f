"""export jobs and events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import smarter_export.domain.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "export_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("include_confidential", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("requested_file_name", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_total", sa.BigInteger(), nullable=True),
        sa.Column("rows_processed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.Column("next_attempt_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("partial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("file_key", sa.String(length=400), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", smarter_export.domain.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", smarter_export.domain.types.UtcDateTime(), nullable=False),
        sa.Column("started_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.Column("progress_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.Column("completed_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.Column("expires_at", smarter_export.domain.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_export_job_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_job")),
    )
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.create_index(
            "ix_export_job_status_lease", ["status", "lease_expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_export_job_tenant_created", ["tenant_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_export_job_tenant_user_fingerprint",
            ["tenant_id", "user_id", "request_fingerprint"],
            unique=False,
        )
        batch_op.create_index(
            "ix_export_job_tenant_user_idempotency",
            ["tenant_id", "user_id", "idempotency_key"],
            unique=False,
        )

    op.create_table(
        "export_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("export_id", sa.String(length=36), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", smarter_export.domain.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["export_job.id"], name=op.f("fk_export_event_export_id_export_job")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_export_event_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_event")),
    )
    with op.batch_alter_table("export_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_export_event_tenant_export_created",
            ["tenant_id", "export_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("export_event", schema=None) as batch_op:
        batch_op.drop_index("ix_export_event_tenant_export_created")

    op.drop_table("export_event")
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_index("ix_export_job_tenant_user_idempotency")
        batch_op.drop_index("ix_export_job_tenant_user_fingerprint")
        batch_op.drop_index("ix_export_job_tenant_created")
        batch_op.drop_index("ix_export_job_status_lease")

    op.drop_table("export_job")
