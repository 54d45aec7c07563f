"""JSON Lines read back by the json module: API keys, exact money, ISO dates, child tables."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from smarter_export.formats.jsonl import JsonLinesOptions, JsonLinesWriter
from tests.formats.conftest import (
    HOSTILE,
    K,
    make_column,
    make_table,
    time_entry_rows,
    write_export,
)

EDGE_COLUMNS = [
    make_column(name="matterNumber", kind=K.ID),
    make_column(name="note", kind=K.TEXT),
    make_column(name="minutes", kind=K.INTEGER),
    make_column(name="amount", kind=K.MONEY),
    make_column(name="share", kind=K.PERCENT),
    make_column(name="workedOn", kind=K.DATE),
    make_column(name="approvedAt", kind=K.DATETIME),
    make_column(name="billable", kind=K.BOOLEAN),
]
EDGE_ROWS = [
    (
        "0000042",
        HOSTILE,
        90,
        Decimal("12345678901.23"),
        Decimal("0.750"),
        date(2024, 2, 29),
        datetime(2024, 7, 1, 16, 30, tzinfo=UTC),
        True,
    ),
    ("0000043", 'Zoë "quoted"\nline', 0, Decimal("-0.01"), Decimal("1E-6"), None, None, False),
    (None, None, None, None, None, None, None, None),
]


def lines(data: bytes) -> list[dict[str, object]]:
    assert data.endswith(b"\n")
    return [json.loads(line, parse_float=Decimal) for line in data.decode("utf-8").splitlines()]


def test_one_object_per_record_with_exact_money_and_iso_dates(tmp_path: Path) -> None:
    table = make_table(columns=EDGE_COLUMNS)
    path = tmp_path / "edge.jsonl"
    summary = write_export(
        JsonLinesWriter(JsonLinesOptions()), path, tables=[table], rows={table.name: EDGE_ROWS}
    )
    assert summary.rows_written == {table.name: 3}
    first, second, empty = lines(path.read_bytes())
    assert list(first) == [column.name for column in EDGE_COLUMNS]
    assert first == {
        "matterNumber": "0000042",
        "note": "'" + HOSTILE,  # neutralised as in every format
        "minutes": 90,
        "amount": "12345678901.23",  # a string: no reader turns it into a float
        "share": "0.750",
        "workedOn": "2024-02-29",
        "approvedAt": "2024-07-01T12:30:00-04:00",  # the firm's zone, with its offset
        "billable": True,
    }
    assert second["note"] == 'Zoë "quoted"\nline'
    assert second["amount"] == "-0.01"
    assert second["share"] == "0.000001"  # never an exponent
    assert second["billable"] is False
    assert empty == dict.fromkeys(first)


def test_child_tables_are_their_own_files_in_a_zip(tmp_path: Path) -> None:
    invoices = make_table(
        name="invoices",
        columns=[
            make_column(name="invoiceNumber", kind=K.ID),
            make_column(name="total", kind=K.MONEY),
        ],
    )
    items = make_table(
        name="line_items",
        columns=[
            make_column(name="invoiceNumber", kind=K.ID),
            make_column(name="amount", kind=K.MONEY),
        ],
    )
    path = tmp_path / "invoices.zip"
    summary = write_export(
        JsonLinesWriter(JsonLinesOptions()),
        path,
        tables=[invoices, items],
        rows={"invoices": [("INV-1", Decimal("10.00"))], "line_items": []},
    )
    assert summary.files == ("invoices.jsonl", "line_items.jsonl")
    with zipfile.ZipFile(path) as archive:
        assert lines(archive.read("invoices.jsonl")) == [
            {"invoiceNumber": "INV-1", "total": "10.00"}
        ]
        assert archive.read("line_items.jsonl") == b""  # no rows: an empty file, still there


def test_gzip_holds_the_same_lines(tmp_path: Path) -> None:
    table = make_table()
    plain, packed = tmp_path / "plain.jsonl", tmp_path / "packed.jsonl.gz"
    rows = list(time_entry_rows(2_500))
    write_export(
        JsonLinesWriter(JsonLinesOptions()), plain, tables=[table], rows={table.name: rows}
    )
    options = JsonLinesOptions.model_validate({"compression": "gzip"})
    write_export(JsonLinesWriter(options), packed, tables=[table], rows={table.name: rows})
    data = packed.read_bytes()
    assert data[:2] == b"\x1f\x8b" and len(data) < plain.stat().st_size / 4
    assert gzip.decompress(data) == plain.read_bytes()
    assert len(lines(gzip.GzipFile(fileobj=io.BytesIO(data)).read())) == 2_500
