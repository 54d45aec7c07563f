"""The service's own tables: one row per export job (the source of truth), and its audit events."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

export_job = Table(
    "export_job",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("source", String(40), nullable=False),
    Column("format", String(10), nullable=False),
    Column("parameters", JSON(), nullable=False),  # frozen: relative dates made absolute
    Column("include_confidential", Boolean(), nullable=False, server_default=false()),
    Column("requested_file_name", String(200)),
    Column("timezone", String(64)),  # the zone of "generated at" in the file, if not the firm's
    Column("status", String(20), nullable=False),
    Column("rows_total", BigInteger()),
    Column("rows_processed", BigInteger(), nullable=False, server_default="0"),
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", UtcDateTime()),
    Column("next_attempt_at", UtcDateTime()),
    Column("cancel_requested", Boolean(), nullable=False, server_default=false()),
    Column("error_code", String(50)),
    Column("error_message", Text()),
    Column("partial", Boolean(), nullable=False, server_default=false()),
    Column("warnings", JSON(), nullable=False),
    Column("file_key", String(400)),
    Column("file_name", String(200)),
    Column("content_type", String(100)),
    Column("size_bytes", BigInteger()),
    Column("sha256", String(64)),
    Column("idempotency_key", String(200)),
    Column("request_fingerprint", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime()),
    Column("progress_at", UtcDateTime()),
    # The first claim's time: the time limit runs from here across every attempt, so no export
    # stays unfinished longer than the limit plus one lease, however often its worker dies.
    Column("first_started_at", UtcDateTime()),
    # When this attempt began writing rows (after counting them): the estimate's pace starts here.
    Column("rows_started_at", UtcDateTime()),
    Column("phase", String(20)),  # of a running export: writing, finishing, uploading
    Column("completed_at", UtcDateTime()),
    Column("expires_at", UtcDateTime()),
    Column("schedule_id", String(36)),  # the schedule that made it, if one did
    Column("notify", JSON()),  # {"emails": [...]} told when it is done
    Index("ix_export_job_tenant_created", "tenant_id", "created_at"),
    Index("ix_export_job_status_lease", "status", "lease_expires_at"),
    Index("ix_export_job_tenant_user_fingerprint", "tenant_id", "user_id", "request_fingerprint"),
    # One export per key and user: the database, not a check before the insert, says so.
    Index(
        "ux_export_job_tenant_user_idempotency",
        "tenant_id",
        "user_id",
        "idempotency_key",
        unique=True,
    ),
)

export_event = Table(
    "export_event",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(36), ForeignKey("tenant.id"), nullable=False),
    Column("export_id", String(36), ForeignKey("export_job.id"), nullable=False),
    Column("event", String(30), nullable=False),
    Column("actor", String(128)),  # a user id, "link" for a signed-link download, "system"
    Column("client_address", String(64)),
    Column("user_agent", String(300)),
    Column("details", JSON(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_export_event_tenant_export_created", "tenant_id", "export_id", "created_at"),
)

# The newest permissions seen for each user, from the newest token (by `iat`) they presented.
# A signed link is followed without a token; this is how a permission withdrawn after the export
# was made still blocks its file.
user_grant = Table(
    "user_grant",
    metadata,
    Column("tenant_id", String(36), ForeignKey("tenant.id"), primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("role", String(64), nullable=False),
    Column("permissions", JSON(), nullable=False),
    Column("issued_at", BigInteger(), nullable=False),  # the token's iat, seconds
    Column("email", String(320)),  # the token's `email` claim: where a schedule's owner is told
    Column("seen_at", UtcDateTime(), nullable=False),
)

Index("ix_export_job_tenant_status", export_job.c.tenant_id, export_job.c.status)
