"""The service's public URL paths. The API serves them; what leaves the service (a webhook's
body, an e-mail) points to them. They live below every layer so that none reaches up to `api/`."""

from __future__ import annotations

API_PREFIX = "/api/v1/export"
DOWNLOAD_ROUTE = "/download/{export_id}"  # under API_PREFIX; the signed link points here
STATUS_ROUTE = "/status/{export_id}"  # under API_PREFIX


def status_url(base_url: str, export_id: str) -> str:
    return f"{base_url.rstrip('/')}{API_PREFIX}{STATUS_ROUTE.format(export_id=export_id)}"


def download_url(base_url: str, export_id: str, signed_query: str) -> str:
    """The signed download link: the path and the query `downloads.link_query` signed."""
    path = API_PREFIX + DOWNLOAD_ROUTE.format(export_id=export_id)
    return f"{base_url.rstrip('/')}{path}?{signed_query}"
