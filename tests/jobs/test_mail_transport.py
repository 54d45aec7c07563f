"""The SMTP transport against real servers (aiosmtpd) with real TLS: STARTTLS then login on
`smtp://`, TLS from the first byte on `smtps://`, and outside development no message in the
clear. The servers' certificate is made for the test and trusted through SSL_CERT_FILE."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from smarter_export.mail.transport import send
from smarter_export.settings import Settings
from tests.servers.ports import free_port
from tests.servers.smtp import Inbox
from tests.servers.tls import trusted_server_context


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    return trusted_server_context(tmp_path, monkeypatch)


def serve(inbox: Inbox, **options: Any) -> Iterator[Inbox]:
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


class Logins:
    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        self.seen.append(data.login)
        return AuthResult(success=(data.login, data.password) == (b"exports", b"s3cret"))


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "Ready", "x@firm.example", "p@firm.example"
    mail.set_content("Your export is ready.")
    return mail


def production(url: str, **extra: Any) -> Settings:
    return Settings(environment="production", smtp_url=url, **extra)


def test_starttls_then_login(tls: ssl.SSLContext) -> None:
    logins = Logins()
    for inbox in serve(
        Inbox(),
        tls_context=tls,
        require_starttls=True,
        authenticator=logins,
        auth_required=True,
        auth_require_tls=True,
    ):
        anonymous = send(production(inbox.url), message())
        assert anonymous is not None and "530" in anonymous  # the server wants a login
        right = production(inbox.url, smtp_username="exports", smtp_password=SecretStr("s3cret"))
        assert send(right, message()) is None
        assert len(inbox.messages) == 1 and logins.seen == [b"exports"]


def test_tls_from_the_first_byte(tls: ssl.SSLContext) -> None:
    for inbox in serve(Inbox(), ssl_context=tls):
        assert send(production(f"smtps://127.0.0.1:{inbox.port}"), message()) is None
        assert len(inbox.messages) == 1


def test_a_certificate_not_trusted_is_refused(
    tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    for inbox in serve(Inbox(), ssl_context=tls):
        error = send(production(f"smtps://127.0.0.1:{inbox.port}"), message())
        assert error is not None and "CERTIFICATE_VERIFY_FAILED" in error
        assert inbox.messages == []


def test_no_message_in_the_clear_outside_development(smtp_server: Inbox) -> None:
    error = send(production(smtp_server.url), message())
    assert error is not None and "STARTTLS" in error
    assert smtp_server.messages == []
    assert send(Settings(environment="development", smtp_url=smtp_server.url), message()) is None
    assert len(smtp_server.messages) == 1
