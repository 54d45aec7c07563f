"""CSV: exact bytes for one table, a ZIP read back for several, the protocol's edges."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from smarter_export.formats.base import EncodedLines
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.tabular import ExportOutcome, Row

from .conftest import HOSTILE, K, make_column, make_info, make_table, write_export

GOLDEN_COLUMNS = [
    make_column(name="name", kind=K.TEXT),
    make_column(name="code", kind=K.ID),
    make_column(name="amount", kind=K.MONEY),
    make_column(name="hours", kind=K.DECIMAL),
    make_column(name="day", kind=K.DATE),
    make_column(name="at", kind=K.DATETIME),
    make_column(name="billable", kind=K.BOOLEAN),
    make_column(name="count", kind=K.INTEGER),
    make_column(name="note", kind=K.TEXT),
]
GOLDEN_ROWS = [
    (
        "Zoë Müller-Ørsted",
        "007",
        Decimal("1234.50"),
        Decimal("1E+1"),  # str() would say "1E+1"
        date(2024, 3, 1),
        datetime(2024, 3, 1, 14, 30, tzinfo=UTC),
        True,
        3,
        'Said "hi", then\nleft',
    ),
    ("山田太郎", "-12", Decimal("-42.50"), Decimal("1E-7"), None, None, False, None, HOSTILE),
]
GOLDEN_BYTES = (
    "\ufeffName,Code,Amount,Hours,Day,At,Billable,Count,Note\r\n"
    'Zoë Müller-Ørsted,007,1234.50,10,2024-03-01,2024-03-01T09:30:00-05:00,true,3,"Said ""hi"", '
    'then\nleft"\r\n'
    '山田太郎,\'-12,-42.50,0.0000001,,,false,,"\'=HYPERLINK(""http://x"",""y"")"\r\n'
).encode()


def test_one_table_is_exactly_these_bytes(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    table = make_table(columns=GOLDEN_COLUMNS)

    summary = write_export(CsvWriter(), path, tables=[table], rows={table.name: GOLDEN_ROWS})

    assert path.read_bytes() == GOLDEN_BYTES
    assert summary.rows_written == {table.name: 2}
    assert summary.path_size_bytes == len(GOLDEN_BYTES)
    assert summary.files == ()


def test_without_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    table = make_table(columns=GOLDEN_COLUMNS)

    write_export(CsvWriter(byte_order_mark=False), path, tables=[table], rows={})

    assert path.read_bytes() == b"Name,Code,Amount,Hours,Day,At,Billable,Count,Note\r\n"


def test_negative_numbers_are_untouched_and_text_is_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    table = make_table(columns=GOLDEN_COLUMNS)

    write_export(CsvWriter(), path, tables=[table], rows={table.name: GOLDEN_ROWS})

    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, first, second = list(csv.reader(stream))
    assert header[0] == "Name"
    assert first[0] == "Zoë Müller-Ørsted"
    assert first[8] == 'Said "hi", then\nleft'
    assert second[2] == "-42.50"
    assert second[1] == "'-12"  # an id that starts like a formula is text: neutralised
    assert second[8] == "'" + HOSTILE


def test_several_tables_make_a_zip_of_one_csv_each(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    invoices = make_table(
        name="invoices",
        title="Invoices",
        columns=[make_column(name="number", kind=K.ID), make_column(name="total", kind=K.MONEY)],
    )
    lines = make_table(
        name="line_items",
        title="Line items",
        columns=[make_column(name="number", kind=K.ID), make_column(name="text", kind=K.TEXT)],
    )
    writer = CsvWriter()

    rows: dict[str, list[Row]] = {
        "invoices": [("INV-001", Decimal("100.00")), ("INV-002", Decimal("-5.10"))],
        "line_items": [("INV-001", f"line {n}") for n in range(2_500)],
    }
    summary = write_export(writer, path, tables=[invoices, lines], rows=rows, batch_size=1_000)

    assert summary.files == ("invoices.csv", "line_items.csv")
    assert summary.rows_written == {"invoices": 2, "line_items": 2_500}
    with zipfile.ZipFile(path) as archive:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
        raw = archive.read("invoices.csv")
        assert raw.startswith(b"\xef\xbb\xbfNumber,Total\r\n")
        read_back = {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }
    assert read_back["invoices.csv"] == [
        ["Number", "Total"],
        ["INV-001", "100.00"],
        ["INV-002", "-5.10"],
    ]
    assert len(read_back["line_items.csv"]) == 2_501
    assert read_back["line_items.csv"][-1] == ["INV-001", "line 2499"]


def test_a_table_without_rows_still_gets_its_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    first = make_table(name="clients", title="Clients", columns=[make_column(name="name")])
    middle = make_table(name="matters", title="Matters", columns=[make_column(name="matter")])
    last = make_table(name="contacts", title="Contacts", columns=[make_column(name="contact")])

    write_export(CsvWriter(), path, tables=[first, middle, last], rows={"contacts": [("Ann",)]})

    with zipfile.ZipFile(path) as archive:
        assert archive.read("clients.csv") == b"\xef\xbb\xbfName\r\n"
        assert archive.read("matters.csv") == b"\xef\xbb\xbfMatter\r\n"
        assert archive.read("contacts.csv") == b"\xef\xbb\xbfContact\r\nAnn\r\n"


def test_rows_of_an_earlier_table_after_a_later_one_are_refused(tmp_path: Path) -> None:
    first = make_table(name="a", columns=[make_column(name="x")])
    second = make_table(name="b", columns=[make_column(name="y")])
    writer = CsvWriter()
    writer.open(tmp_path / "out.zip", make_info(), [first, second])
    writer.write_rows("b", [("1",)])

    with pytest.raises(ValueError, match="after a later table"):
        writer.write_rows("a", [("1",)])
    with pytest.raises(ValueError, match="not announced"):
        writer.write_rows("nope", [("1",)])
    writer.abort()


def test_abort_releases_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    table = make_table(columns=[make_column(name="x")])
    writer = CsvWriter()
    writer.open(path, make_info(), [table])
    writer.write_rows(table.name, [("1",)])

    writer.abort()
    path.unlink()  # the caller deletes the partial file; nothing holds it open

    assert not path.exists()


def test_a_table_needing_no_conversion_goes_straight_through(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    table = make_table(
        columns=[make_column(name="n", kind=K.INTEGER), make_column(name="d", kind=K.DATE)]
    )
    writer = CsvWriter(byte_order_mark=False)
    writer.open(path, make_info(), [table])
    writer.write_rows(table.name, [(1, date(2024, 2, 29)), (None, None), (-7, date(1899, 12, 31))])
    writer.close(ExportOutcome({table.name: 3}))

    assert path.read_bytes() == b"N,D\r\n1,2024-02-29\r\n,\r\n-7,1899-12-31\r\n"


class WrittenAsBytes(EncodedLines):
    """Lines the writer must write as the bytes they are, never read as text."""

    def _lines(self) -> list[str]:
        raise AssertionError("the writer read encoded lines as text")


@pytest.mark.parametrize("byte_order_mark", [True, False])
@pytest.mark.parametrize("compression", ["none", "gzip", "zip"])
def test_the_writer_writes_encoded_lines_as_it_writes_the_lines(
    tmp_path: Path, byte_order_mark: bool, compression: str
) -> None:
    """The bytes go after the header (and byte-order mark) and between lines given as text,
    in a plain file, a gzip file (its packed bytes too: no deflate block ended early) and a
    ZIP's member alike, never read back as lines."""
    table = make_table(name="t", columns=[make_column(name="a")])
    tables = [table] if compression != "zip" else [table, make_table(name="u")]
    options = CsvOptions.model_validate(
        {"compression": "gzip" if compression == "gzip" else "none"}
    )
    batches: list[list[str]] = [["é\r\n", '"x\ny"\r\n'], ["山\r\n"], ["z\r\n"]]
    written = {}
    for way in ("text", "bytes"):
        writer = CsvWriter(byte_order_mark, options)
        writer.open(tmp_path / way, make_info(), tables)
        for index, batch in enumerate(batches):
            if way == "bytes" and index != 1:
                given: Sequence[str] = WrittenAsBytes("".join(batch).encode(), len(batch), "\r\n")
            else:
                given = batch
            writer.write_lines("t", given)
        summary = writer.close(ExportOutcome({"t": 4}))
        assert summary.rows_written["t"] == 4
        data = (tmp_path / way).read_bytes()  # gzip: the packed bytes, each deflate block
        if compression == "zip":
            with zipfile.ZipFile(tmp_path / way) as archive:
                data = archive.read("t.csv") + archive.read("u.csv")
        written[way] = data
    assert written["bytes"] == written["text"]
    unpacked = gzip.decompress(written["bytes"]) if compression == "gzip" else written["bytes"]
    assert b'A\r\n\xc3\xa9\r\n"x\ny"\r\n\xe5\xb1\xb1\r\nz\r\n' in unpacked
