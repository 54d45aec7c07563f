"""The newest permissions seen for each user (table `user_grant`). Callers own the transaction.

Tokens are stateless, so the service learns that a permission was withdrawn only when the user
presents a newer token without it. The newest token by `iat` wins; an older one seen later (still
unexpired) cannot give back what a newer one took away.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from smarter_export.auth.principal import Principal
from smarter_export.jobs.tables import user_grant


class RecordedTokens:
    """The tokens this process has already recorded: recording the same token again changes
    nothing (its grants are stored, or a newer token's are), so a status poll need not ask the
    database each time. Bounded, oldest forgotten first."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[Principal, None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, principal: object) -> bool:
        with self._lock:
            if principal not in self._seen:
                return False
            self._seen.move_to_end(principal)  # type: ignore[arg-type]
            return True

    def add(self, principal: Principal) -> None:
        with self._lock:
            self._seen[principal] = None
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)


def observe(connection: Connection, principal: Principal, *, now: datetime) -> None:
    """Remember this token's grants if it is the user's newest and they changed."""
    values = {
        "role": principal.role,
        "permissions": sorted(principal.permissions),
        "issued_at": principal.issued_at,
        "seen_at": now,
        # A token without the claim does not forget the address a newer or older one gave.
        **({"email": principal.email} if principal.email else {}),
    }
    known = connection.execute(
        select(
            user_grant.c.role, user_grant.c.permissions, user_grant.c.issued_at, user_grant.c.email
        ).where(
            user_grant.c.tenant_id == principal.tenant_id,
            user_grant.c.user_id == principal.user_id,
        )
    ).first()
    if known is None:
        try:
            with connection.begin_nested():
                connection.execute(
                    user_grant.insert(),
                    {"tenant_id": principal.tenant_id, "user_id": principal.user_id, **values},
                )
        except IntegrityError:  # another request of the same user got there first
            pass
        return
    unchanged = (
        known.role == principal.role
        and known.permissions == values["permissions"]
        and known.email == values.get("email", known.email)
    )
    if unchanged or principal.issued_at < known.issued_at:
        return
    connection.execute(
        update(user_grant)
        .where(
            user_grant.c.tenant_id == principal.tenant_id,
            user_grant.c.user_id == principal.user_id,
            user_grant.c.issued_at <= principal.issued_at,
        )
        .values(**values)
    )


def latest(connection: Connection, *, tenant_id: str, user_id: str) -> Principal | None:
    """The user as their newest token described them, or None if they never called."""
    row = connection.execute(
        select(user_grant).where(
            user_grant.c.tenant_id == tenant_id, user_grant.c.user_id == user_id
        )
    ).first()
    if row is None:
        return None
    return Principal(
        user_id=user_id,
        tenant_id=tenant_id,
        role=row.role,
        permissions=frozenset(row.permissions),
        issued_at=row.issued_at,
        email=row.email,
    )
