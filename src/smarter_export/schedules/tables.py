"""The tables of schedules: the schedule, each due time it was judged at, and its audit trail."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, String, Table, Text, true

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

export_schedule = Table(
    "export_schedule",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("user_id", String(128), nullable=False),  # the owner: each run has their grants
    Column("name", String(200), nullable=False),
    Column("format", String(10), nullable=False),
    Column("request", JSON(), nullable=False),  # the export body as given (a period stays one)
    Column("cron", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("period", String(20)),
    Column("notify", JSON(), nullable=False),
    Column("active", Boolean(), nullable=False, server_default=true()),
    Column("next_run_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("deleted_at", UtcDateTime()),  # kept for the audit trail of its exports
    Index("ix_export_schedule_tenant", "tenant_id", "created_at"),
    Index("ix_export_schedule_due", "active", "next_run_at"),
)

# One row per schedule and due time, made in the transaction that makes its export: the primary
# key is what makes a due time fire exactly once, whatever number of processes judge it.
schedule_run = Table(
    "schedule_run",
    metadata,
    Column("schedule_id", String(36), ForeignKey("export_schedule.id"), primary_key=True),
    Column("due_at", UtcDateTime(), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("outcome", String(20), nullable=False),  # created, skipped
    Column("export_id", String(36), ForeignKey("export_job.id")),
    Column("reason", Text()),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_schedule_run_schedule_created", "schedule_id", "created_at"),
)

schedule_event = Table(
    "schedule_event",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("schedule_id", String(36), ForeignKey("export_schedule.id"), nullable=False),
    Column("event", String(30), nullable=False),
    Column("actor", String(128)),
    Column("details", JSON(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_schedule_event_schedule_created", "tenant_id", "schedule_id", "created_at"),
)
