"""Signed download links: HMAC-SHA256 over export id, tenant and expiry; secrets can rotate.

A link signed with the first secret is accepted with any of the configured secrets, so a new
secret can be put first while links signed with the old one live out their lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from enum import Enum
from urllib.parse import urlencode


class LinkCheck(Enum):
    VALID = "valid"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


def _message(export_id: str, tenant_id: str, expires: int) -> bytes:
    return f"smarter-export/download\n{export_id}\n{tenant_id}\n{expires}".encode()


def sign(secret: str, *, export_id: str, tenant_id: str, expires: int) -> str:
    mac = hmac.new(secret.encode(), _message(export_id, tenant_id, expires), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def check(
    secrets: Sequence[str],
    *,
    export_id: str,
    tenant_id: str,
    expires: int,
    signature: str,
    now: float,
) -> LinkCheck:
    """The signature first (a forged link learns nothing about expiry), then the expiry."""
    valid = False
    for secret in secrets:
        expected = sign(secret, export_id=export_id, tenant_id=tenant_id, expires=expires)
        # Every secret is tried, so the time taken says nothing about which one matched.
        valid |= hmac.compare_digest(expected.encode(), signature.encode())
    if not valid:
        return LinkCheck.BAD_SIGNATURE
    return LinkCheck.EXPIRED if now >= expires else LinkCheck.VALID


def signed_query(secret: str, *, export_id: str, tenant_id: str, expires: int) -> str:
    """`expires=...&signature=...`: the query of a download link; where it points is the API's."""
    signature = sign(secret, export_id=export_id, tenant_id=tenant_id, expires=expires)
    return urlencode({"expires": expires, "signature": signature})
