"""Handing one message to the SMTP server of `SMARTER_EXPORT_SMTP_URL`: `smtps://` (TLS from the
first byte) or `smtp://` upgraded with STARTTLS, which outside development is required (privileged
data is not sent in the clear); then the login, if credentials are set."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import urlsplit

from smarter_export.settings import Settings

TIMEOUT_SECONDS = 30


def send(settings: Settings, message: EmailMessage) -> str | None:
    """None once the server took the message; else what went wrong, for the record."""
    assert settings.smtp_url is not None
    target = urlsplit(settings.smtp_url)
    host = target.hostname or "localhost"
    try:
        if target.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host,
                target.port or 465,
                timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(host, target.port or 587, timeout=TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if target.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            elif target.scheme == "smtp" and not settings.is_development:
                return "the SMTP server offers no STARTTLS; refused to send in the clear"
            if settings.smtp_username and settings.smtp_password:
                client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as failure:
        return repr(failure)[:500]
    return None
