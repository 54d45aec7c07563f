"""Who an export's e-mail may go to: `notify.emails`, inside the firm's allowed domains.

Privileged data must not leave by accident, so the allowed domain is, for now, the domain of the
creator's own address (the token's `email` claim); a per-firm list of domains is not built yet.
"""

from __future__ import annotations

import re
from typing import Any

from smarter_export.auth.principal import Principal
from smarter_export.errors import ValidationFailed

MAX_RECIPIENTS = 20
_ADDRESS = re.compile(r"^[^@\s<>,;\"]{1,64}@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


def valid_notify(value: object, principal: Principal) -> dict[str, Any]:
    """`{"emails": [...]}` checked against the caller's domain; `{}` for none."""
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - {"emails"}:
        raise ValidationFailed.one("notify", 'give {"emails": ["someone@firm.example"]}')
    emails = value.get("emails", [])
    if not isinstance(emails, list) or len(emails) > MAX_RECIPIENTS:
        raise ValidationFailed.one(
            "notify.emails", f"give a list of at most {MAX_RECIPIENTS} addresses"
        )
    if not emails:
        return {}
    allowed = principal.email.rsplit("@", 1)[1].lower() if principal.email else None
    cleaned: list[str] = []
    for address in emails:
        found = _ADDRESS.match(address) if isinstance(address, str) else None
        if found is None:
            raise ValidationFailed.one("notify.emails", f"{address!r} is not an e-mail address")
        if allowed is None or found.group(1).lower() != allowed:
            raise ValidationFailed.one(
                "notify.emails",
                f"{address} is outside your firm's e-mail domain"
                + (f" ({allowed})" if allowed else " (your sign-in carries no address)"),
            )
        cleaned.append(address)
    return {"emails": sorted(set(cleaned))}
