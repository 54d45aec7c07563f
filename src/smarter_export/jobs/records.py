"""Job statuses and the typed view of an export_job row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE = (JobStatus.PENDING, JobStatus.PROCESSING)
FINISHED = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)


class AuditEvent(StrEnum):
    CREATED = "created"
    STARTED = "started"
    RETRIED = "retried"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DOWNLOADED = "downloaded"
    EXPIRED = "expired"
    DELETED = "deleted"
    NOTIFIED = "notified"  # the e-mail of `notify.emails` was sent
    NOTIFY_FAILED = "notify_failed"  # an attempt to send it failed (retried)


@dataclass(frozen=True)
class ExportJob:
    id: str
    tenant_id: str
    user_id: str
    source: str
    format: str
    parameters: dict[str, Any]
    include_confidential: bool
    requested_file_name: str | None
    timezone: str | None
    status: JobStatus
    rows_total: int | None
    rows_processed: int
    attempts: int
    lease_owner: str | None
    lease_expires_at: datetime | None
    next_attempt_at: datetime | None
    cancel_requested: bool
    error_code: str | None
    error_message: str | None
    partial: bool
    warnings: list[str]
    file_key: str | None
    file_name: str | None
    content_type: str | None
    size_bytes: int | None
    sha256: str | None
    idempotency_key: str | None
    request_fingerprint: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    progress_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime | None
    first_started_at: datetime | None = None
    rows_started_at: datetime | None = None
    phase: str | None = None
    schedule_id: str | None = None
    notify: dict[str, Any] | None = None
    chart: dict[str, Any] | None = None

    @classmethod
    def from_row(cls, row: Row[Any]) -> ExportJob:
        values = row._asdict()
        values["status"] = JobStatus(values["status"])
        return cls(**values)
