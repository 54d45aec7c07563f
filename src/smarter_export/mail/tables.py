"""One e-mail per export, or per skipped run of a schedule (its owner is told), with its retry
state; the unique keys make each one e-mail whatever number of sweeps notice it."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

mail_delivery = Table(
    "mail_delivery",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("export_id", String(36), ForeignKey("export_job.id"), unique=True),
    # Or a schedule's run that was skipped: its owner is told why.
    Column("schedule_id", String(36)),
    Column("due_at", UtcDateTime()),
    Column("recipients", JSON(), nullable=False),
    Column("status", String(20), nullable=False),  # pending, sent, failed
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime()),
    Column("last_error", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ux_mail_delivery_run", "schedule_id", "due_at", unique=True),
)
