"""An HTTP(S) opener that connects to one address already checked, whatever the host's name
resolves to by then (no DNS rebinding between the SSRF check and the connection). The name still
goes in the Host header, the TLS server name and the certificate check; redirects are not
followed (one could lead to an address the check refused)."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.request
from typing import Any


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, *, address: str, **options: Any) -> None:
        super().__init__(host, **options)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, *, address: str, context: ssl.SSLContext, **options: Any) -> None:
        super().__init__(host, context=context, **options)
        self.address = address
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx is the answer, recorded as a failed attempt


def pinned_opener(address: str) -> urllib.request.OpenerDirector:
    """An opener whose every connection goes to `address`."""
    context = ssl.create_default_context()

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_factory(_PinnedHTTP, address), request)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_factory(_PinnedHTTPS, address, context=context), request)

    return urllib.request.build_opener(_NoRedirects, HTTP, HTTPS)


def _factory(kind: Any, address: str, **fixed: Any) -> Any:
    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection = kind(host, address=address, **fixed, **options)
        return connection

    return make
