"""Reading and writing a firm's export settings. Callers own the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from smarter_export.firm_settings.tables import firm_export_settings, firm_settings_event


@dataclass(frozen=True)
class FirmExportSettings:
    """What a firm's admins decided; the defaults until they decide anything."""

    allowed_email_domains: tuple[str, ...] = ()  # empty: the domain of the export's creator
    mail_download_links: bool = False  # the signed link stays out of e-mail unless allowed
    updated_by: str | None = None
    updated_at: datetime | None = None

    def mail_domains(self, creator_email: str | None) -> tuple[str, ...]:
        """Where this creator's e-mail may go: the firm's list, else their own domain."""
        if self.allowed_email_domains:
            return self.allowed_email_domains
        return (creator_email.rsplit("@", 1)[1].lower(),) if creator_email else ()


def load(connection: Connection, tenant_id: str) -> FirmExportSettings:
    row = connection.execute(
        select(firm_export_settings).where(firm_export_settings.c.tenant_id == tenant_id)
    ).first()
    if row is None:
        return FirmExportSettings()
    return FirmExportSettings(
        allowed_email_domains=tuple(row.allowed_email_domains),
        mail_download_links=row.mail_download_links,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def save(
    connection: Connection,
    tenant_id: str,
    values: dict[str, Any],
    *,
    defaults: dict[str, Any],
    actor: str,
    now: datetime,
    changes: dict[str, Any],
) -> None:
    """Set the columns in `values` on the firm's row (made from `defaults` if it has none yet)
    and record `changes` (old and new) in its trail. Only the columns given are written, so two
    admins changing different settings at once both keep their change."""
    row = {**values, "updated_by": actor, "updated_at": now}
    found = connection.execute(
        update(firm_export_settings)
        .where(firm_export_settings.c.tenant_id == tenant_id)
        .values(**row)
    )
    if found.rowcount == 0:
        try:
            with connection.begin_nested():
                connection.execute(
                    firm_export_settings.insert(), {"tenant_id": tenant_id, **defaults, **row}
                )
        except IntegrityError:  # another admin's first change landed in between: ours is last
            connection.execute(
                update(firm_export_settings)
                .where(firm_export_settings.c.tenant_id == tenant_id)
                .values(**row)
            )
    connection.execute(
        firm_settings_event.insert(),
        {
            "id": str(uuid.uuid4()),
            "tenant_id": tenant_id,
            "actor": actor,
            "details": changes,
            "created_at": now,
        },
    )


def list_events(connection: Connection, tenant_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            firm_settings_event.c.actor,
            firm_settings_event.c.details,
            firm_settings_event.c.created_at,
        )
        .where(firm_settings_event.c.tenant_id == tenant_id)
        .order_by(firm_settings_event.c.created_at)
    )
    return [dict(row._mapping) for row in rows]
