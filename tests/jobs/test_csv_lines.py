"""CSV rendered by the database (`jobs/csv_sql.py`) is the file the writer makes of the rows.

Every source of the salted firm, in every CSV dialect (delimiters, decimal comma, no byte-order
mark, gzip, a ZIP of several tables), is exported through the database's lines and through
`CsvWriter`'s rows alone, and the files are byte for byte the same. Which tables took the
lines is checked too, so that the fast path cannot silently vanish, and each case the SQL
cannot prove falls back to the rows.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from smarter_export.formats.base import ExportWriter, LineWriter
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.jobs.csv_lines import table_lines
from smarter_export.jobs.csv_sql import DIALECTS
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import table_rows
from smarter_export.jobs.plan import ExportPlan
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary
from tests.jobs.test_fidelity import every_export, plan, reference_csv, salted_engine, with_writer
from tests.readers import csv_tables

__all__ = ["salted_engine"]  # the fidelity tests' fixture: the demo firm salted with edge values

DIALECT_OPTIONS: tuple[dict[str, object], ...] = (
    {},
    {"delimiter": ";", "decimalSeparator": ","},
    {"delimiter": "tab", "decimalSeparator": ","},
    {"delimiter": "|", "byteOrderMark": False},
    {"delimiter": ";", "compression": "gzip"},
)


class RowsOnly:
    """`CsvWriter` as it was: it takes rows only (not a `LineWriter`), so every table goes the
    Python way. The reference."""

    def __init__(self, writer: CsvWriter) -> None:
        self._writer = writer

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        self._writer.open(path, info, tables)

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        self._writer.write_rows(table, batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        return self._writer.close(outcome)

    def abort(self) -> None:
        self._writer.abort()


class LinesSeen(CsvWriter):
    """`CsvWriter` counting the lines it was given ready made, by table."""

    def __init__(self, options: CsvOptions) -> None:
        super().__init__(options=options)
        self.lines: dict[str, int] = {}

    def write_lines(self, table: str, lines: Sequence[str]) -> None:
        self.lines[table] = self.lines.get(table, 0) + len(lines)
        super().write_lines(table, lines)


def file_contents(path: Path) -> dict[str, bytes]:
    """The file's bytes; a ZIP's members' bytes by name; a gzip file's bytes both packed and not."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    if data[:2] == b"\x1f\x8b":
        return {"gzip": data, "unpacked": gzip.decompress(data)}
    return {"file": data}


def fast_tables(engine: Engine, planned: ExportPlan) -> set[str]:
    """The tables whose lines the database renders for this plan (where lines may be taken)."""
    if engine.dialect.name not in DIALECTS:
        return set()
    charted = {table.name for table in planned.tables if table.chart is not None}
    return {table.name for table in planned.tables} - charted


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_lines_are_taken_on_sqlite_for_every_table_but_a_charted_one(salted_engine: Engine) -> None:
    """The expectation the byte test checks against is not empty where it must not be."""
    names = set()
    for source, params in every_export():
        names |= fast_tables(salted_engine, plan(salted_engine, Path("/tmp"), source, params))
    assert {"time_entries", "invoices", "line_items", "matters", "clients", "timekeepers"} <= names


@pytest.mark.parametrize("options", DIALECT_OPTIONS, ids=lambda o: ",".join(map(str, o.values())))
def test_every_source_gives_the_same_bytes_through_the_databases_lines(
    salted_engine: Engine, tmp_path: Path, options: dict[str, object]
) -> None:
    csv_options = CsvOptions.model_validate(options)
    for number, (source, params) in enumerate(every_export()):
        where = f"{source} {params.get('metric', '')} {options}"
        planned = plan(salted_engine, tmp_path, source, params)
        reference, fast = tmp_path / f"{number}-reference", tmp_path / f"{number}-fast"
        expected = run_export(
            salted_engine, with_writer(planned, RowsOnly(CsvWriter(options=csv_options))), reference
        )
        seen = LinesSeen(csv_options)
        result = run_export(salted_engine, with_writer(planned, seen), fast)
        assert result.rows_written == expected.rows_written, where
        assert file_contents(fast) == file_contents(reference), where
        wanted = fast_tables(salted_engine, planned)
        assert set(seen.lines) == {t for t in wanted if result.rows_written[t]}, where
        assert all(seen.lines[name] == result.rows_written[name] for name in seen.lines), where
        if not options:  # and the csv module reads what SQLAlchemy's rows hold
            ours = csv_tables(fast.read_bytes())
            for name, rows in reference_csv(salted_engine, planned).items():
                assert (ours.get(name) or ours["main"]) == rows, f"{where}, {name}"


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_time_entries_are_written_from_the_databases_lines(
    salted_engine: Engine, tmp_path: Path
) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    writer = LinesSeen(CsvOptions())
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert table.keyed is not None
        lines = table_lines(connection, table, writer)
    assert lines is not None, "time entries must take the database's lines on SQLite"
    assert lines.fragments, "their names come from the lookups' fragments"
    result = run_export(salted_engine, with_writer(planned, writer), tmp_path / "out.csv")
    assert (
        writer.lines == {"time_entries": result.rows_written["time_entries"]} != {"time_entries": 0}
    )


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_a_writer_that_takes_rows_only_gets_rows(salted_engine: Engine, tmp_path: Path) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    excel: ExportWriter = StreamingExcelWriter(700)
    assert not isinstance(excel, LineWriter)
    assert not isinstance(RowsOnly(CsvWriter()), LineWriter)
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert table_lines(connection, table, excel) is None
        assert table_lines(connection, table, RowsOnly(CsvWriter())) is None


@pytest.mark.parametrize("demo_engine", ["sqlite"], indirect=True)
def test_a_charted_table_keeps_its_rows(salted_engine: Engine, tmp_path: Path) -> None:
    """Analytics keep their rows for the chart's figures: the engine gives them as rows."""
    params: dict[str, Any] = {
        "metric": "utilization",
        "groupBy": "timekeeper",
        "dateFrom": "2023-01-01",
        "dateTo": "2025-12-31",
    }
    planned = plan(salted_engine, tmp_path, "analytics", params)
    assert planned.tables[0].chart is not None
    writer = LinesSeen(CsvOptions())
    result = run_export(salted_engine, with_writer(planned, writer), tmp_path / "out.csv")
    assert result.rows_written["analytics"] > 0
    assert writer.lines == {}
