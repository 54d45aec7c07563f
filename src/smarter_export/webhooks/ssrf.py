"""No server-side request forgery: a webhook URL must be https and resolve only to public
addresses. Checked at registration and again before every delivery (DNS may have changed).

`webhook_allow_loopback` (tests, development) admits http:// and loopback addresses, and only
those: private, link-local and cloud metadata addresses are refused in every environment.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from smarter_export.errors import ValidationFailed

MAX_URL = 2000


def check_url(url: object, *, allow_loopback: bool) -> str:
    """The URL, if it may be called; a 400 naming `url` otherwise."""
    checked_addresses(url, allow_loopback=allow_loopback)
    return str(url)


def checked_addresses(url: object, *, allow_loopback: bool) -> list[str]:
    """The addresses `url`'s host resolves to, every one of them checked.

    A delivery connects to these and no other: resolving the name again when connecting would
    let a DNS answer that changed in between (rebinding) lead inside.
    """
    if not isinstance(url, str) or not 0 < len(url) <= MAX_URL:
        raise ValidationFailed.one("url", "give an https:// URL")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationFailed.one("url", "give an https:// URL")
    if parts.username or parts.password:
        raise ValidationFailed.one("url", "leave credentials out of the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        raise ValidationFailed.one("url", f"{parts.hostname} does not resolve") from None
    addresses = [ipaddress.ip_address(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in found]
    for address in addresses:
        refusal = _refusal(address, allow_loopback=allow_loopback)
        if refusal:
            raise ValidationFailed.one("url", f"{parts.hostname} resolves to {refusal}")
    if parts.scheme == "http" and not all(address.is_loopback for address in addresses):
        raise ValidationFailed.one("url", "plain http is allowed for loopback addresses only")
    return [str(address) for address in addresses]


def _refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_loopback: bool
) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:  # 169.254.169.254, the cloud metadata service, is one
        return "a link-local or metadata address"
    if address.is_private or address.is_reserved or address.is_multicast:
        return "a private or reserved address"
    if address.is_unspecified or not address.is_global:
        return "an address that is not public"
    return None
