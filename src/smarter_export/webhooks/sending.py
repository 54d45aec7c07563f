"""One HTTP attempt of a webhook message, signed per Standard Webhooks.

Signing uses the `standardwebhooks` package (the specification's own reference library: small,
typed, no dependencies). The request goes to the very address the SSRF check passed, and never
follows a redirect (`pinned`).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from standardwebhooks.webhooks import Webhook

from smarter_export import __version__
from smarter_export.clock import utcnow
from smarter_export.errors import ValidationFailed
from smarter_export.webhooks.pinned import pinned_opener
from smarter_export.webhooks.ssrf import checked_addresses


@dataclass(frozen=True)
class Attempt:
    http_status: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


def signed_headers(secret: str, message_id: str, payload: str, now: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": f"smarter-export/{__version__}",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, payload),
    }


def attempt(
    url: str,
    secret: str,
    message_id: str,
    payload: str,
    *,
    timeout: float,
    allow_loopback: bool,
) -> Attempt:
    started = time.monotonic()

    def done(status: int | None, error: str | None) -> Attempt:
        return Attempt(status, error, int((time.monotonic() - started) * 1000))

    try:  # again: DNS may have changed since the registration
        addresses = checked_addresses(url, allow_loopback=allow_loopback)
    except ValidationFailed as refused:
        return done(None, refused.problems[0].message[:500])
    request = urllib.request.Request(  # noqa: S310 - checked_addresses admitted https (or loopback http)
        url,
        data=payload.encode(),
        # Signed when sent, on the wall clock: receivers refuse timestamps minutes off theirs.
        headers=signed_headers(secret, message_id, payload, utcnow()),
        method="POST",
    )
    try:
        with pinned_opener(addresses).open(request, timeout=timeout) as answer:
            return done(answer.status, None)
    except urllib.error.HTTPError as error:
        return done(error.code, None)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return done(None, repr(error)[:500])
