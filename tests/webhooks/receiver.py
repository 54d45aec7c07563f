"""A real HTTP endpoint for webhook tests: it verifies every message's Standard Webhooks
signature with the specification's reference library and answers as the test tells it (over
https when given a TLS context)."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: Any
    verified: bool


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    scheme: str = "http"
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # statuses to give, then 204
    delay_seconds: float = 0.0  # how long each answer takes
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}/hooks/exports"


def start_receiver(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["content-length"]))
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                body = Webhook(receiver.secret).verify(raw, headers)
                verified = True
            except WebhookVerificationError:
                body, verified = raw.decode(), False
            receiver.received.append(Received(headers, body, verified))
            time.sleep(receiver.delay_seconds)
            self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver = Receiver(server, "https" if tls else "http")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
