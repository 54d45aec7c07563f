"""A client generated from the live `/openapi.json` by openapi-python-client (a maintained
generator) drives the real API and a real worker process: create an export, poll its status,
follow the signed download link, read the file. The code is generated here, in the test run;
a document that breaks the client (an operation renamed, a body or an answer reshaped) fails."""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from smarter_export.formats.registry import find_format
from tests.live import LiveFactory

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# literal_enums: the time zones' enum has names that differ only in case (GMT0, Gmt0...), which
# the generator's Enum classes cannot hold; Literal types can. The generator reads any text/*
# answer as text: the download is a file, whatever its type (the document says binary).
CONFIG = """
package_name_override: smarter_export_client
post_hooks: []
literal_enums: true
content_type_overrides:
  "text/csv; charset=utf-8": application/octet-stream
"""


def generate_client(document: bytes, folder: Path) -> Any:
    (folder / "openapi.json").write_bytes(document)
    (folder / "config.yaml").write_text(CONFIG)
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            "smarter_export_client",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("smarter_export_client")
    finally:
        sys.path.remove(str(folder))


def test_a_generated_client_exports_polls_and_downloads(live: LiveFactory, tmp_path: Path) -> None:
    service = live("client")
    service.start_api(worker=False)
    service.start_worker()
    document = httpx.get(f"{service.base_url}/openapi.json", timeout=30).content
    generate_client(document, tmp_path)
    from smarter_export_client import AuthenticatedClient, Client  # type: ignore[import-not-found]
    from smarter_export_client.api.exports import (  # type: ignore[import-not-found]
        create_export,
        download_export,
        get_export_status,
        list_export_events,
    )
    from smarter_export_client.models import (  # type: ignore[import-not-found]
        CsvOptions,
        EnvelopeExportView,
        TimekeepersExportRequest,
    )

    client = AuthenticatedClient(base_url=service.base_url, token=service.token(user="generated"))
    request = TimekeepersExportRequest(
        data_source="timekeepers",
        columns=["name", "role", "rate"],
        sort=["-rate"],
        options=CsvOptions(delimiter=";"),
    )
    created = create_export.sync_detailed("csv", client=client, body=request)
    assert created.status_code == 202, created.content
    assert isinstance(created.parsed, EnvelopeExportView)
    export_id = created.parsed.data.export_id
    assert created.headers["Location"] == created.parsed.data.status_url

    deadline = time.monotonic() + 60
    status = get_export_status.sync(export_id, client=client)
    while status.data.status in ("pending", "processing") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = get_export_status.sync(export_id, client=client)
    view = status.data
    assert view.status == "completed", view
    assert view.file.content_type == find_format("csv").file.content_type

    # The signed link, followed with no token: its query is the operation's parameters.
    link = urlsplit(view.download_url)
    query = {key: values[0] for key, values in parse_qs(link.query).items()}
    anonymous = Client(base_url=service.base_url)
    downloaded = download_export.sync_detailed(
        export_id, client=anonymous, expires=int(query["expires"]), signature=query["signature"]
    )
    assert downloaded.status_code == 200
    assert downloaded.parsed.payload.read() == downloaded.content  # the generated File
    assert downloaded.headers["content-type"] == view.file.content_type
    assert hashlib.sha256(downloaded.content).hexdigest() == view.file.sha256
    rows = list(csv.reader(io.StringIO(downloaded.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == view.progress.rows_total > 0
    assert len(rows[0]) == 3
    rates = [float(row[2]) for row in rows[1:]]
    assert rates == sorted(rates, reverse=True)

    events = list_export_events.sync(export_id, client=client)
    assert {e.event for e in events.data} >= {"created", "completed", "downloaded"}
