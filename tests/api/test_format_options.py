"""Format options over real HTTP: listed by GET /formats, sent in `options`, refused by name,
frozen on the job and honoured by the worker; a gzip file downloads as the bytes its size and
SHA-256 describe."""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

import httpx
import pyarrow as pa

from smarter_export.formats.registry import FORMATS
from tests.live import LiveService
from tests.readers import csv_tables, jsonl_tables, parquet_tables


def finished(
    service: LiveService, client: httpx.Client, format_name: str, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    answer = client.post(f"/api/v1/export/{format_name}", json=body)
    assert answer.status_code == 202, answer.text
    done = service.wait_for(client, answer.json()["data"]["exportId"], ("completed", "failed"))
    assert done["status"] == "completed", done
    download = httpx.get(str(done["downloadUrl"]), timeout=30)
    assert download.status_code == 200, download.text
    assert hashlib.sha256(download.content).hexdigest() == done["file"]["sha256"]
    assert len(download.content) == done["file"]["sizeBytes"]
    return done, download


def test_formats_are_listed_with_their_options(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token()) as client:
        listed = client.get("/api/v1/export/formats").json()["data"]
        openapi = client.get("/openapi.json").json()
    assert [f["name"] for f in listed] == [f.name for f in FORMATS]
    by_name = {f["name"]: f for f in listed}
    assert by_name["excel"]["aliases"] == ["xlsx"] and by_name["excel"]["options"] == []
    (compression,) = by_name["jsonl"]["options"]
    assert compression == {
        "name": "compression",
        "type": "choice",
        "description": compression["description"],
        "choices": ["none", "gzip"],
        "default": "none",
    }
    parquet = {o["name"]: o for o in by_name["parquet"]["options"]}
    assert parquet["compression"]["default"] == "zstd"
    assert parquet["rowGroupRows"]["type"] == "integer"
    assert by_name["parquet"]["optionsSchema"]["properties"]["rowGroupRows"]["maximum"] == 1_000_000
    assert by_name["parquet"]["severalTablesExtension"] == ".zip"
    # LEDES fields are its version's: the Export Center offers no column choice for it.
    assert [name for name, f in by_name.items() if f["fixedColumns"]] == ["ledes"]
    # The OpenAPI document names every format from the same registrations.
    create = openapi["paths"]["/api/v1/export/{format}"]["post"]
    (parameter,) = [p for p in create["parameters"] if p["name"] == "format"]
    assert "jsonl (or ndjson)" in parameter["description"] and "parquet" in parameter["description"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    schemas = openapi["components"]["schemas"]
    request = schemas[body["$ref"].rsplit("/", 1)[-1]]
    assert request["oneOf"]  # one body per data source, each with the formats' options
    for variant in request["oneOf"]:
        options = schemas[variant["$ref"].rsplit("/", 1)[-1]]["properties"]["options"]
        named = {o["$ref"].rsplit("/", 1)[-1] for o in options["anyOf"][0]["anyOf"]}
        assert named == {f.options.__name__ for f in FORMATS}


def test_an_option_the_format_lacks_is_a_400_naming_it(shared_service: LiveService) -> None:
    with shared_service.client(shared_service.token()) as client:
        answer = client.post(
            "/api/v1/export/excel",
            json={"dataSource": "matters", "options": {"compression": "gzip"}},
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["details"] == [
            {"field": "options.compression", "message": "unknown option for the excel format"}
        ]
        # An option is not a filter: at the top level it is an unknown filter, named so.
        answer = client.post(
            "/api/v1/export/csv", json={"dataSource": "matters", "compression": "gzip"}
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["details"][0]["field"] == "compression"


def test_gzip_csv_and_jsonl_download_as_what_their_status_describes(
    shared_service: LiveService,
) -> None:
    body = {"dataSource": "matters", "fileName": "Matters Q1", "options": {"compression": "gzip"}}
    with shared_service.client(shared_service.token()) as client:
        _, plain = finished(shared_service, client, "csv", {"dataSource": "matters"})
        done, download = finished(shared_service, client, "csv", body)
        # The confidential matters this caller may not see are withheld, so the file is partial,
        # and its name says so, even the name the caller chose.
        assert done["partial"] and done["warnings"]
        assert done["file"]["name"] == "Matters Q1_partial.csv.gz"
        assert done["file"]["contentType"] == "application/gzip"
        assert download.headers["content-type"] == "application/gzip"
        # No Content-Encoding: a client must save the gzip as it is, not unpack it on the way.
        assert "content-encoding" not in download.headers
        assert download.headers["content-disposition"].endswith("''Matters%20Q1_partial.csv.gz")
        assert csv_tables(gzip.decompress(download.content)) == csv_tables(plain.content)

        done, download = finished(shared_service, client, "jsonl", body)
        assert done["file"]["name"] == "Matters Q1_partial.jsonl.gz"
        assert download.content[:2] == b"\x1f\x8b"
        records = jsonl_tables(download.content)["main"]
        assert len(records) == len(csv_tables(plain.content)["main"]) - 1


def test_parquet_with_child_tables_over_http(shared_service: LiveService) -> None:
    body = {"dataSource": "invoices", "options": {"compression": "snappy", "rowGroupRows": 1000}}
    with shared_service.client(shared_service.token()) as client:
        done, download = finished(shared_service, client, "parquet", body)
    assert done["file"]["name"].endswith(".zip")
    assert download.headers["content-type"] == "application/zip"
    tables = parquet_tables(download.content)
    assert set(tables) == {"invoices", "line_items"}
    assert tables["invoices"].schema.field("total").type == pa.decimal128(38, 2)
    assert tables["line_items"].num_rows > tables["invoices"].num_rows > 0
