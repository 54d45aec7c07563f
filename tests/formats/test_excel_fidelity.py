"""The streamed Excel writer against the XlsxWriter one: the same cells, whatever the values.

Every cell of both workbooks is read back with openpyxl (value, type, number format, font,
border; sheet names, frozen panes, autofilters, widths) and must be equal; LibreOffice opens
the streamed workbook and its CSV of every sheet must say what our CSV writer says.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pytest

from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.tabular import Row, TableSpec
from tests.libreoffice import assert_sheet_rows_match, sheets_as_csv
from tests.readers import xlsx_described, xlsx_sheets
from tests.salted_firm import EDGE_TEXTS, TIMESTAMP_EDGES

from .conftest import K, make_column, make_info, make_table, write_export
from .test_excel import TYPED_COLUMNS

EVERY_KIND = TYPED_COLUMNS  # one column of every kind, a total, a custom number format
LONG_TEXTS = ("x" * 40_000, "😀" * 20_000, "é" * 16_384, " " + "y" * 32_766)
DATES = (
    date(2024, 3, 10),
    date(1900, 2, 28),
    date(1900, 3, 1),
    date(1900, 1, 1),
    date(2099, 12, 31),
)
# Before 1 March 1900 Excel counts a 29 February 1900 that LibreOffice does not: the same serial
# number is a day apart in the two. Both writers agree (openpyxl checks that); LibreOffice is
# shown the dates the firms' data can hold.
MODERN_DATES = (date(2024, 3, 10), date(2024, 11, 3), date(2000, 2, 29), date(2099, 12, 31))
MONEY = (Decimal("0.00"), Decimal("-0.01"), Decimal("-1234.56"), Decimal("99999999999.99"))


def edge_rows(count: int, dates: Sequence[date] = DATES) -> list[Row]:
    texts = list(EDGE_TEXTS) + list(LONG_TEXTS)
    rows: list[Row] = []
    for n in range(count):
        null = n % 11 == 10  # a row of nulls now and then, and single nulls everywhere
        rows.append(
            (
                None if null else f"{n:07d}" if n % 3 else texts[(n + 5) % len(texts)],
                None if null or n % 13 == 6 else texts[n % len(texts)],
                None if null or n % 7 == 3 else dates[n % len(dates)] + timedelta(days=n % 2),
                None if null else TIMESTAMP_EDGES[n % 4] + timedelta(microseconds=n * 250_001),
                None if null else MONEY[n % len(MONEY)] + Decimal(n) / 100,
                None if null or n % 5 == 2 else Decimal(n % 40) / 4,
                None if null else Decimal(n % 1000) / 1000,
                None if null else (n - 50) * 1_000_003,
                None if null else bool(n % 2),
                None if null else Decimal("0.1234") * n,
            )
        )
    return rows


def both(
    tmp_path: Path,
    tables: Sequence[TableSpec],
    rows: dict[str, list[Row]],
    *,
    rows_per_sheet: int = 1_048_575,
    **options: object,
) -> tuple[Path, Path]:
    reference, fast = tmp_path / "reference.xlsx", tmp_path / "fast.xlsx"
    write_export(ExcelWriter(rows_per_sheet), reference, tables=tables, rows=rows, **options)  # type: ignore[arg-type]
    write_export(StreamingExcelWriter(rows_per_sheet), fast, tables=tables, rows=rows, **options)  # type: ignore[arg-type]
    return reference, fast


def assert_same_workbook(reference: Path, fast: Path) -> None:
    expected, actual = xlsx_described(reference.read_bytes()), xlsx_described(fast.read_bytes())
    for want, got in zip(expected, actual, strict=False):
        assert got == want
    assert len(actual) == len(expected)


def test_every_kind_of_value_gives_the_same_cells(tmp_path: Path) -> None:
    table = make_table(columns=EVERY_KIND)
    rows = edge_rows(400)
    reference, fast = both(
        tmp_path, [table], {table.name: rows}, warnings=("=cmd|' /C calc'!A0",), partial=True
    )
    assert_same_workbook(reference, fast)


def test_child_tables_empty_tables_and_continuation_sheets_match(tmp_path: Path) -> None:
    main = make_table(columns=EVERY_KIND)
    child = make_table(name="line_items", title="Line items: fees/costs", columns=EVERY_KIND[:5])
    empty = make_table(name="payments", title="Payments", columns=EVERY_KIND[4:])
    rows = {main.name: edge_rows(95), child.name: [r[:5] for r in edge_rows(31)]}
    reference, fast = both(tmp_path, [main, child, empty], rows, rows_per_sheet=20, batch_size=7)
    assert_same_workbook(reference, fast)
    assert "Time entries (5)" in [entry[1] for entry in xlsx_described(fast.read_bytes())]


def test_other_currencies_zones_and_custom_formats_match(tmp_path: Path) -> None:
    table = make_table(columns=EVERY_KIND)
    info = make_info(currency="EUR", timezone="Asia/Kolkata", notes=("<b>& note",))
    reference, fast = both(tmp_path, [table], {table.name: edge_rows(60)}, info=info)
    assert_same_workbook(reference, fast)


def our_csv(tmp_path: Path, table: TableSpec, rows: list[Row]) -> list[list[str]]:
    path = tmp_path / "ours.csv"
    write_export(CsvWriter(), path, tables=[table], rows={table.name: rows})
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.mark.slow
def test_libreoffice_reads_every_sheet_as_our_csv_says(tmp_path: Path) -> None:
    table = make_table(columns=EVERY_KIND)
    rows = edge_rows(120, MODERN_DATES)
    _, fast = both(tmp_path, [table], {table.name: rows}, rows_per_sheet=50)
    sheets = sheets_as_csv(fast, tmp_path / "lo")
    assert set(sheets) == {"Export info", "Time entries", "Time entries (2)", "Time entries (3)"}
    assert sheets["Export info"][0][0] == "Time entries"
    header, *data = our_csv(tmp_path, table, rows)
    read: list[list[str]] = []
    for name in ("Time entries", "Time entries (2)", "Time entries (3)"):
        assert sheets[name][0] == header
        read += sheets[name][1:]
    assert read[-1][0] == "Total"  # the totals row closes the last sheet
    kinds = [str(column.kind) for column in table.columns]
    assert_sheet_rows_match(read[:-1], data, kinds, "streamed workbook")


@pytest.mark.slow
def test_libreoffice_opens_a_full_sheet_and_its_continuation(tmp_path: Path) -> None:
    """1,048,576 rows is Excel's limit; the narrowest table keeps this test cheap."""
    table = make_table(name="numbers", title="Numbers", columns=[make_column(kind=K.INTEGER)])
    full = 1_048_575  # data rows of a full sheet, under its header
    path = tmp_path / "full.xlsx"
    rows = ((n,) for n in range(full + 3))
    write_export(StreamingExcelWriter(), path, tables=[table], rows={table.name: rows})
    sheets = sheets_as_csv(path, tmp_path / "lo")
    first, second = sheets["Numbers"], sheets["Numbers (2)"]
    assert len(first) == 1_048_576
    assert first[0] == ["Name"]
    assert first[1] == ["0"]
    assert first[-1] == [str(full - 1)]
    assert second == [["Name"], [str(full)], [str(full + 1)], [str(full + 2)]]
    assert all(row == [str(n)] for n, row in enumerate(islice(first, 1, None)))


def test_a_sheet_too_large_for_a_plain_zip_entry_continues(tmp_path: Path) -> None:
    """ZIP64 forced on made files LibreOffice refused; a sheet nearing 2 GiB continues instead.

    The limit is lowered to a few batches' worth so that the rule can be seen working.
    """
    table = make_table(columns=EVERY_KIND[:2])
    rows = [(f"{n:07d}", EDGE_TEXTS[n % len(EDGE_TEXTS)]) for n in range(200)]
    path = tmp_path / "rolled.xlsx"
    writer = StreamingExcelWriter(sheet_bytes_limit=8_000)
    write_export(writer, path, tables=[table], rows={table.name: rows}, batch_size=10)
    sheets = xlsx_sheets(path.read_bytes())
    data_sheets = [name for name in sheets if name.startswith("Time entries")]
    assert len(data_sheets) > 2
    read = []
    for name in data_sheets:
        assert sheets[name][0] == ("Matter number", "Client")
        read += sheets[name][1:]
    assert len(read) == len(rows)
    assert [row[0] for row in read] == [row[0] for row in rows]
    assert {row[1] for row in read} >= {"山田太郎 法律事務所", "'=1+1"}


def test_abort_stops_the_deflate_thread_and_releases_the_file(tmp_path: Path) -> None:
    table = make_table(columns=EVERY_KIND)
    writer = StreamingExcelWriter()
    path = tmp_path / "aborted.xlsx"
    writer.open(path, make_info(), [table])
    writer.write_rows(table.name, edge_rows(50))
    assert any(thread.name == "xlsx-deflate" for thread in threading.enumerate())
    writer.abort()
    assert not any(thread.name == "xlsx-deflate" for thread in threading.enumerate())
    path.unlink()  # the caller deletes the partial file; nothing holds it
