"""Putting an e-mail in the outbox: a pending `mail_delivery` row that the mail sweep sends,
retries and records. Callers own the transaction (and its unique keys: one e-mail per export,
one per skipped run of a schedule)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection

from smarter_export.mail.tables import mail_delivery

PENDING, SENT, FAILED = "pending", "sent", "failed"


def queue_mail(
    connection: Connection,
    *,
    tenant_id: str,
    recipients: list[str],
    now: datetime,
    export_id: str | None = None,
    schedule_id: str | None = None,
    due_at: datetime | None = None,
    unsendable: str | None = None,
) -> None:
    """An e-mail about an export, or about a schedule's run at `due_at` that was skipped; one
    that cannot be sent (`unsendable` says why) is put on record as failed at once."""
    assert (export_id is None) != (schedule_id is None and due_at is None)
    connection.execute(
        mail_delivery.insert(),
        {
            "id": str(uuid.uuid4()),
            "tenant_id": tenant_id,
            "export_id": export_id,
            "schedule_id": schedule_id,
            "due_at": due_at,
            "recipients": recipients,
            "status": PENDING if unsendable is None else FAILED,
            "attempts": 0,
            "next_attempt_at": now if unsendable is None else None,
            "last_error": unsendable,
            "created_at": now,
            "updated_at": now,
        },
    )
