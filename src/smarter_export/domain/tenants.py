"""Finding a firm (tenant) by its id or its subdomain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, or_, select

from smarter_export.domain.tables import tenant
from smarter_export.errors import NotFound


@dataclass(frozen=True)
class Firm:
    id: str
    name: str
    subdomain: str
    timezone: str
    currency: str


def find_firm(connection: Connection, id_or_subdomain: str) -> Firm:
    row = connection.execute(
        select(tenant.c.id, tenant.c.name, tenant.c.subdomain, tenant.c.timezone, tenant.c.currency)
        .where(or_(tenant.c.id == id_or_subdomain, tenant.c.subdomain == id_or_subdomain))
        .where(tenant.c.is_deleted.is_(False))
    ).first()
    if row is None:
        raise NotFound(f"No firm has the id or subdomain {id_or_subdomain!r}.")
    return Firm(*row)
