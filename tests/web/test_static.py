"""The page's files as served: nothing fetched from elsewhere, a tight policy, no inline script."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smarter_export.web.pages import STATIC_DIR
from tests.live import LiveService

# An XML namespace names a vocabulary; nothing is fetched from it.
NAMESPACES = {"http://www.w3.org/2000/svg"}
URL = re.compile(
    r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'`)<>]*|(?:https?|wss?|ftp):[^\s"'`)<>]*"""
)
ASSET = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")
IMPORT = re.compile(r"""^import .* from "([^"]+)";$""", re.MULTILINE)


@pytest.fixture
def client(web_service: LiveService) -> Iterator[httpx.Client]:
    with web_service.client() as anonymous:
        yield anonymous


def external_urls(text: str) -> list[str]:
    return [url for url in URL.findall(text) if url not in NAMESPACES]


def test_the_url_check_finds_urls() -> None:
    found = external_urls(
        'import x from "https://cdn.example.com/x.js"; a{b:url(//fonts.host.io/f)}'
    )
    assert found == ["https://cdn.example.com/x.js", "//fonts.host.io/f"]
    assert external_urls('<svg xmlns="http://www.w3.org/2000/svg">') == []


def test_the_page_is_served_at_the_root_with_a_strict_policy(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert "<title>Export Center" in page.text


def test_every_file_is_served_and_names_no_other_host(client: httpx.Client) -> None:
    files = sorted(path for path in STATIC_DIR.iterdir() if path.is_file())
    assert {"index.html", "main.js", "style.css"} <= {path.name for path in files}
    for path in files:
        served = client.get("/" if path.name == "index.html" else f"/static/{path.name}")
        assert served.status_code == 200, path.name
        assert served.headers["content-security-policy"], path.name
        assert external_urls(served.text) == [], path.name
        assert "@import" not in served.text, path.name


def test_the_page_loads_only_its_own_files(client: httpx.Client) -> None:
    html = client.get("/").text
    assets = ASSET.findall(html)
    assert "/static/main.js" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    # Every <script> has a src: the policy allows no inline script, and none is needed.
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.DOTALL):
        assert script.strip() == ""
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None, "no inline event handlers"


def test_scripts_import_only_each_other() -> None:
    for script in Path(STATIC_DIR).glob("*.js"):
        for target in IMPORT.findall(script.read_text()):
            assert target.startswith("./"), (script.name, target)
            assert (STATIC_DIR / target).is_file(), (script.name, target)


def test_the_api_keeps_its_own_headers(client: httpx.Client) -> None:
    """The page's policy is for the page; the API's answers stay as they were."""
    answer = client.get("/api/v1/export/sources")
    assert answer.status_code == 401
    assert answer.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in answer.headers
