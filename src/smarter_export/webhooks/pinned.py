"""An HTTP(S) opener that connects only to addresses already checked, whatever the host's name
resolves to by then (no DNS rebinding between the SSRF check and the connection). The name still
goes in the Host header, the TLS server name and the certificate check; redirects are not
followed (one could lead to an address the check refused)."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.request
from typing import Any


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """The first of the addresses that answers, in the resolver's order (as a client would)."""
    failure: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, *, addresses: list[str], **options: Any) -> None:
        super().__init__(host, **options)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self, host: str, *, addresses: list[str], context: ssl.SSLContext, **options: Any
    ) -> None:
        super().__init__(host, context=context, **options)
        self.addresses = addresses
        self.tls = context

    def connect(self) -> None:
        raw = _connect(self.addresses, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx is the answer, recorded as a failed attempt


def pinned_opener(addresses: list[str]) -> urllib.request.OpenerDirector:
    """An opener whose every connection goes to one of `addresses`."""
    context = ssl.create_default_context()

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_factory(_PinnedHTTP, addresses), request)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_factory(_PinnedHTTPS, addresses, context=context), request)

    # Direct, never through a proxy from the environment (`https_proxy`): the pinned connection
    # dials the checked address itself, and a proxy in between would get the receiver's address
    # with the proxy's port. A deployment whose egress needs a proxy cannot deliver webhooks yet.
    no_proxy = urllib.request.ProxyHandler({})
    return urllib.request.build_opener(no_proxy, _NoRedirects, HTTP, HTTPS)


def _factory(kind: Any, addresses: list[str], **fixed: Any) -> Any:
    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection = kind(host, addresses=addresses, **fixed, **options)
        return connection

    return make
