"""Faster, never different: every source of a salted demo firm through the fast writers and the
reference ones, compared as independent readers see the files.

The demo firm is salted with edge values (tests/salted_firm.py). CSV, JSON Lines and Parquet
hold the values of a plain loop over SQLAlchemy rows. Excel: the streamed workbook
and XlsxWriter's are read back cell by cell with openpyxl and must be equal, and LibreOffice
opens the streamed one and reads every sheet as our CSV export says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import Engine

from smarter_export.domain.tenants import find_firm
from smarter_export.formats.base import ExportWriter
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_print import is_wide
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.formats.registry import find_format
from smarter_export.formats.safety import neutralise
from smarter_export.jobs.engine import ExportResult, run_export
from smarter_export.jobs.plan import ExportPlan, plan_export
from smarter_export.settings import Settings
from smarter_export.sources.registry import SOURCES
from tests.libreoffice import assert_sheet_rows_match, sheets_as_csv
from tests.readers import (
    as_csv_reads,
    csv_tables,
    jsonl_reads,
    jsonl_tables,
    parquet_tables,
    sheet_print_settings,
    xlsx_described,
    xlsx_sheets,
)
from tests.salted_firm import salt_firm

ROWS_PER_SHEET = 700  # the demo's 2,000 time entries fill three sheets
ANALYTICS = (
    {"metric": "utilization", "groupBy": "timekeeper"},
    {"metric": "collection", "groupBy": "month"},
    {"metric": "ar_aging", "groupBy": "client"},
)


def every_export() -> list[tuple[str, dict[str, Any]]]:
    exports: list[tuple[str, dict[str, Any]]] = []
    for name, source in SOURCES.items():
        if name == "analytics":
            period = {"dateFrom": "2023-01-01", "dateTo": "2025-12-31"}
            exports += [(name, {**metric, **period}) for metric in ANALYTICS]
        elif source.available:
            exports.append((name, {"columns": list(source.column_names())}))
    return exports


def plan(engine: Engine, folder: Path, source: str, params: dict[str, Any]) -> ExportPlan:
    """One plan for every writer: the same query, and the same "generated at"."""
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    return plan_export(
        Settings(data_dir=folder),
        firm=firm,
        source_name=source,
        format_name="csv",
        params=params,
        requested_by="fidelity@example.com",
        include_confidential=True,
    )


def with_writer(planned: ExportPlan, writer: ExportWriter) -> ExportPlan:
    return replace(planned, writer=writer)


@pytest.fixture
def salted_engine(demo_engine: Engine) -> Engine:
    with demo_engine.connect() as connection:
        firm = find_firm(connection, "demo")
    assert salt_firm(demo_engine, firm.id) > 500
    return demo_engine


def data_sheets(
    workbook: dict[str, list[list[str]]],
    order: list[str],
    planned: ExportPlan,
    result: ExportResult,
) -> dict[str, list[list[str]]]:
    """{table name: its data rows, continuation sheets joined, totals row dropped}."""
    assert order[-1] == "Export info", "the info sheet comes last"
    names = iter(order[:-1])  # the data first: the main table, then its child tables
    rows_by_table = {}
    for table in planned.tables:
        expected = result.rows_written[table.name]
        rows: list[list[str]] = []
        while True:
            rows += workbook[next(names)][1:]
            if len(rows) >= expected:
                break
        rows_by_table[table.name] = rows[:expected]
    return rows_by_table


@pytest.mark.slow
def test_every_source_gives_the_same_workbook_and_libreoffice_reads_it(
    salted_engine: Engine, tmp_path: Path
) -> None:
    seen: set[object] = set()
    for number, (source, params) in enumerate(every_export()):
        where = f"{source} {params.get('metric', '')}".strip()
        folder = tmp_path / str(number)
        folder.mkdir()
        reference, fast = folder / "reference.xlsx", folder / "fast.xlsx"
        planned = plan(salted_engine, folder, source, params)
        expected = run_export(
            salted_engine, with_writer(planned, ExcelWriter(ROWS_PER_SHEET)), reference
        )
        result = run_export(
            salted_engine, with_writer(planned, StreamingExcelWriter(ROWS_PER_SHEET)), fast
        )
        assert result.rows_written == expected.rows_written, where
        assert sum(result.rows_written.values()) > 0, where
        described = xlsx_described(fast.read_bytes())
        assert described == without_chart(xlsx_described(reference.read_bytes()), planned), where
        seen.update(cell[1] for cell in described)
        assert_prints_as_a_report(fast, planned)
        assert_prints_as_a_report(reference, planned)

        csv_path = folder / "ours.zip"
        run_export(salted_engine, with_writer(planned, CsvWriter()), csv_path)
        ours = csv_tables(csv_path.read_bytes())
        order = list(xlsx_sheets(fast.read_bytes()))
        read = data_sheets(sheets_as_csv(fast, folder / "lo"), order, planned, result)
        for table in planned.tables:
            rows = (ours.get(table.name) or ours["main"])[1:]
            kinds = [str(column.kind) for column in table.columns]
            assert_sheet_rows_match(read[table.name], rows, kinds, f"{where}, {table.name}")
    # The salt reached the files: text to neutralise, CJK, ids with leading zeros, text cut at
    # the cell limit, negative money.
    assert {"'=1+1", "山田太郎 法律事務所", "0000007", "x" * 32_767, -1234.56} <= seen


def without_chart(described: list[tuple[object, ...]], planned: ExportPlan) -> list[Any]:
    """XlsxWriter's workbook as the streamed writer makes it: without the chart that only
    XlsxWriter draws (aggregates are its to write), whose sheet prints landscape to hold it."""
    if planned.tables[0].chart is None:
        return described
    first_sheet = next(n for n, entry in enumerate(described) if entry[0] == "printed as")
    printed = described[first_sheet]
    assert printed[1] == "landscape", "the chart stands beside the table: a landscape page"
    orientation = "landscape" if is_wide(planned.tables[0].columns) else "portrait"
    return [
        *described[:first_sheet],
        (printed[0], orientation, *printed[2:]),
        *described[first_sheet + 1 :],
    ]


def assert_prints_as_a_report(workbook: Path, planned: ExportPlan) -> None:
    """Opens on the main table's sheet, named for what it holds; every data sheet is fitted to
    one page wide, repeats its header, prints gridlines and names the firm in its footer."""
    book = openpyxl.load_workbook(workbook)
    assert book.active.title == book.sheetnames[0] == planned.tables[0].title[:31]
    for sheet in book.worksheets[:-1]:
        orientation, fitted, _wide, tall, titles, gridlines, *_, firm, page = sheet_print_settings(
            sheet
        )
        assert orientation in ("landscape", "portrait") and fitted and tall == 0, sheet.title
        assert (titles, gridlines, page) == ("$1:$1", True, "Page &P of &N"), sheet.title
        assert firm == planned.info.firm_name.replace("&", "&&"), sheet.title


def reference_text(kind: str, value: object, zone: ZoneInfo) -> str:
    """A cell as CSV should read, the obvious way: no fast path, no shared code but safety's."""
    if value is None:
        return ""
    if kind in ("text", "id"):
        assert isinstance(value, str)
        return neutralise(value)
    if kind in ("decimal", "money", "percent"):
        assert isinstance(value, Decimal)
        return format(value, "f")
    if kind == "datetime":
        assert isinstance(value, datetime)
        return value.astimezone(zone).isoformat()
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)  # integers, ISO dates


def reference_csv(engine: Engine, planned: ExportPlan) -> dict[str, list[list[str]]]:
    """Every table's rows through SQLAlchemy's ordinary Row objects and reference_text."""
    zone = ZoneInfo(planned.info.timezone)
    source, scope, query = planned.source, planned.scope, planned.query
    statements = [(source.table_spec(query), source.statement(scope, query))]
    statements += [(child.spec, child.statement) for child in source.child_tables(scope, query)]
    tables = {}
    with engine.connect() as connection:
        for spec, statement in statements:
            kinds = [str(column.kind) for column in spec.columns]
            rows = [[column.label for column in spec.columns]]
            for row in connection.execute(statement):
                rows.append([reference_text(k, v, zone) for k, v in zip(kinds, row, strict=True)])
            tables[spec.name] = rows
    return tables


def test_every_source_gives_the_same_csv(salted_engine: Engine, tmp_path: Path) -> None:
    for number, (source, params) in enumerate(every_export()):
        where = f"{source} {params.get('metric', '')}".strip()
        path = tmp_path / f"{number}.csv"
        planned = plan(salted_engine, tmp_path, source, params)
        result = run_export(salted_engine, with_writer(planned, CsvWriter()), path)
        ours = csv_tables(path.read_bytes())
        expected = reference_csv(salted_engine, planned)
        assert sum(result.rows_written.values()) > 0, where
        for name, rows in expected.items():
            assert (ours.get(name) or ours["main"]) == rows, f"{where}, {name}"


def test_every_source_gives_the_same_values_in_jsonl_and_parquet(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """The machine formats hold the reference CSV's values, every edge value of the salted firm
    included: JSON Lines read by json (money exact strings), Parquet by pyarrow, typed."""
    for number, (source, params) in enumerate(every_export()):
        where = f"{source} {params.get('metric', '')}".strip()
        planned = plan(salted_engine, tmp_path, source, params)
        expected = reference_csv(salted_engine, planned)
        files = {}
        for format_name in ("jsonl", "parquet"):
            export_format = find_format(format_name)
            path = tmp_path / f"{number}.{format_name}"
            writer = export_format.make_writer(Settings(data_dir=tmp_path))
            run_export(salted_engine, with_writer(planned, writer), path)
            files[format_name] = path.read_bytes()
        jsonl, parquet = jsonl_tables(files["jsonl"]), parquet_tables(files["parquet"])
        for spec in planned.tables:
            key = spec.name if len(planned.tables) > 1 else "main"
            kinds = [str(column.kind) for column in spec.columns]
            _, *rows = expected[spec.name]
            typed = [
                tuple(as_csv_reads(k, cell) for k, cell in zip(kinds, row, strict=True))
                for row in rows
            ]
            names = [column.name for column in spec.columns]
            from_jsonl = [
                as_in_csv(jsonl_reads(k, record[n]) for k, n in zip(kinds, names, strict=True))
                for record in jsonl[key]
            ]
            assert from_jsonl == typed, f"{where}, {spec.name}: JSON Lines"
            from_parquet = [as_in_csv(record.values()) for record in parquet[key].to_pylist()]
            assert from_parquet == typed, f"{where}, {spec.name}: Parquet"


def as_in_csv(values: Iterable[object]) -> tuple[object, ...]:
    """A CSV cannot tell an empty text from no value; JSON Lines and Parquet can (and do)."""
    return tuple(None if value == "" else value for value in values)
