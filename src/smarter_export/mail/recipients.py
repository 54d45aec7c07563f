"""Who an export's e-mail may go to: `notify.emails`, inside the firm's allowed domains.

Privileged data must not leave by accident: the allowed domains are the firm's list, set by its
admins (`firm_settings`), or by default the domain of the creator's own address (the token's
`email` claim). A creator with neither may mail no one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from smarter_export.errors import ValidationFailed

MAX_RECIPIENTS = 20
DOMAIN = re.compile(r"[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")
_ADDRESS = re.compile(rf"^[^@\s<>,;\"]{{1,64}}@({DOMAIN.pattern})$")


def valid_notify(value: object, allowed_domains: Sequence[str]) -> dict[str, Any]:
    """`{"emails": [...]}` checked against the allowed domains (lower case); `{}` for none."""
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
    cleaned: list[str] = []
    for address in emails:
        found = _ADDRESS.match(address) if isinstance(address, str) else None
        if found is None:
            raise ValidationFailed.one("notify.emails", f"{address!r} is not an e-mail address")
        if found.group(1).lower() not in allowed_domains:
            raise ValidationFailed.one(
                "notify.emails",
                f"{address} is outside your firm's e-mail domains"
                + (
                    f" ({', '.join(allowed_domains)})"
                    if allowed_domains
                    else " (your sign-in carries no address and the firm lists no domains)"
                ),
            )
        cleaned.append(address)
    return {"emails": sorted(set(cleaned))}
