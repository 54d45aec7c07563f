"""The tables of webhooks: the endpoint, one delivery per endpoint and event, each attempt."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

webhook = Table(
    "webhook",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("events", JSON(), nullable=False),
    Column("description", String(500)),
    # The signing key must be read to sign; it is shown to the firm once, at registration.
    Column("secret", String(100), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("deleted_at", UtcDateTime()),
    Index("ix_webhook_tenant", "tenant_id", "created_at"),
)

# One row per message: its id is the `webhook-id` header, the same on every retry. The unique
# key makes an export's event one message per endpoint, whatever number of sweeps notice it.
webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("webhook_id", String(36), ForeignKey("webhook.id"), nullable=False),
    Column("event", String(40), nullable=False),
    Column("export_id", String(36)),  # None for a test message
    Column("payload", Text(), nullable=False),  # the exact body signed and sent
    Column("status", String(20), nullable=False),  # pending, delivered, failed
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ux_webhook_delivery_export", "webhook_id", "export_id", "event", unique=True),
    Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
)

webhook_attempt = Table(
    "webhook_attempt",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("delivery_id", String(40), ForeignKey("webhook_delivery.id"), nullable=False),
    Column("attempted_at", UtcDateTime(), nullable=False),
    Column("http_status", Integer()),
    Column("error", String(500)),
    Column("duration_ms", Integer(), nullable=False),
    Index("ix_webhook_attempt_delivery", "delivery_id", "attempted_at"),
)
