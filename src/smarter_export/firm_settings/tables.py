"""The firm's export settings (one row per firm, none until an admin sets one) and their audit
trail."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, String, Table, false

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

firm_export_settings = Table(
    "firm_export_settings",
    metadata,
    Column("tenant_id", String(36), ForeignKey("tenant.id"), primary_key=True),
    # Lower-case domains; empty: the default, the domain of whoever makes the export.
    Column("allowed_email_domains", JSON(), nullable=False),
    Column("mail_download_links", Boolean(), nullable=False, server_default=false()),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

firm_settings_event = Table(
    "firm_settings_event",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("details", JSON(), nullable=False),  # the change: each field's old and new value
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_firm_settings_event_tenant", "tenant_id", "created_at"),
)
