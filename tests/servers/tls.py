"""A certificate made for a test and trusted through SSL_CERT_FILE, as an operator trusts a
private CA: real TLS for the test's servers, checked by the service's default context."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest


def trusted_server_context(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, names: str = "IP:127.0.0.1"
) -> ssl.SSLContext:
    """A server-side TLS context whose certificate (for `names`, a subjectAltName) the clients
    of this process trust."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=smarter-export-test"),
            *("-addext", f"subjectAltName={names}"),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
