"""The firm's export settings as its people see them: every member reads them (the Export
Center says where e-mail may go), only an admin changes them, and every change is on record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.errors import Forbidden, ValidationFailed
from smarter_export.firm_settings import store
from smarter_export.firm_settings.store import FirmExportSettings
from smarter_export.log import get_logger
from smarter_export.mail.recipients import DOMAIN

log = get_logger("smarter_export.firm_settings")

MAX_DOMAINS = 50
FIELDS = {  # the API's name: the column's
    "allowedEmailDomains": "allowed_email_domains",
    "mailDownloadLinks": "mail_download_links",
}


class FirmSettingsService:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, principal: Principal) -> FirmExportSettings:
        with self.engine.connect() as connection:
            return store.load(connection, principal.tenant_id)

    def update(self, principal: Principal, patch: Mapping[str, Any]) -> FirmExportSettings:
        """Change the fields given; a 400 names the first bad one, a 403 for a non-admin."""
        if not principal.is_admin:
            raise Forbidden("Changing the firm's export settings needs the admin role.")
        values = _checked(patch)
        now = utcnow()
        with self.engine.begin() as connection:
            current = store.load(connection, principal.tenant_id)
            merged = {
                "allowed_email_domains": list(current.allowed_email_domains),
                "mail_download_links": current.mail_download_links,
                **values,
            }
            changes = {
                field: {"from": _shown(getattr(current, column)), "to": merged[column]}
                for field, column in FIELDS.items()
                if column in values and merged[column] != _shown(getattr(current, column))
            }
            store.save(
                connection,
                principal.tenant_id,
                values,
                defaults=merged,
                actor=principal.user_id,
                now=now,
                changes=changes,
            )
        log.info("firm_settings.updated", tenant_id=principal.tenant_id, fields=sorted(changes))
        return self.get(principal)

    def events(self, principal: Principal) -> list[dict[str, Any]]:
        if not principal.is_admin:
            raise Forbidden("The settings' history is for the firm's admins.")
        with self.engine.connect() as connection:
            return store.list_events(connection, principal.tenant_id)


def _checked(patch: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(patch) - set(FIELDS))
    if unknown:
        raise ValidationFailed.one(unknown[0], f"not a setting; give {' or '.join(FIELDS)}")
    values: dict[str, Any] = {}
    if "allowedEmailDomains" in patch:
        domains = patch["allowedEmailDomains"]
        if not isinstance(domains, list) or len(domains) > MAX_DOMAINS:
            raise ValidationFailed.one(
                "allowedEmailDomains", f"give a list of at most {MAX_DOMAINS} domains"
            )
        for domain in domains:
            if not isinstance(domain, str) or not DOMAIN.fullmatch(domain):
                raise ValidationFailed.one(
                    "allowedEmailDomains", f"{domain!r} is not a domain such as firm.example"
                )
        values["allowed_email_domains"] = sorted({d.lower() for d in domains})
    if "mailDownloadLinks" in patch:
        if not isinstance(patch["mailDownloadLinks"], bool):
            raise ValidationFailed.one("mailDownloadLinks", "give true or false")
        values["mail_download_links"] = patch["mailDownloadLinks"]
    return values


def _shown(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
