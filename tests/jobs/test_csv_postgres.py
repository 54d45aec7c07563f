"""CSV lines on PostgreSQL (`jobs/csv_postgres.py`): which way each table goes, and that every
way writes the rows' bytes.

The byte-for-byte comparison of every source in every CSV dialect runs on PostgreSQL too
(`test_csv_lines.py`, `test_fidelity.py`); here: time entries go through COPY's CSV, a table of
one column through the line SQL over COPY's text format (its escapes undone), and a column the
server does not prove, a timestamp, or a parameter SQLAlchemy converts falls back.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import CHAR, DateTime, Engine, Numeric, cast, literal, select, text, type_coerce
from sqlalchemy.exc import DataError

from smarter_export.domain.types import UtcDateTime
from smarter_export.errors import ExportCancelled
from smarter_export.formats.base import EncodedLines
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.jobs.csv_lines import table_lines
from smarter_export.jobs.csv_postgres import (
    CopyLines,
    compile_copy,
    copied_lines,
    csv_lines_of,
    proven,
)
from smarter_export.jobs.csv_sql import CsvLines
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.limits import table_rows
from smarter_export.jobs.pg_copy import copy_batches
from smarter_export.tabular import ColumnKind, ExportColumn
from tests.jobs.test_csv_lines import DIALECT_OPTIONS, LinesSeen, RowsOnly, file_contents
from tests.jobs.test_fidelity import plan, salted_engine, with_writer

__all__ = ["salted_engine"]

ON_POSTGRES = pytest.mark.parametrize("demo_engine", ["postgresql"], indirect=True)


def exported_both_ways(
    engine: Engine, folder: Path, source: str, params: dict[str, object]
) -> tuple[bytes, bytes, dict[str, int], dict[str, int]]:
    """(the lines' file, the rows' file, lines given by table, rows written by table)."""
    planned = plan(engine, folder, source, params)
    reference = run_export(engine, with_writer(planned, RowsOnly(CsvWriter())), folder / "rows")
    seen = LinesSeen(CsvOptions())
    result = run_export(engine, with_writer(planned, seen), folder / "lines")
    assert result.rows_written == reference.rows_written
    lines, rows = (folder / "lines").read_bytes(), (folder / "rows").read_bytes()
    return lines, rows, seen.lines, result.rows_written


@ON_POSTGRES
def test_time_entries_are_written_by_copy_on_postgres(
    salted_engine: Engine, tmp_path: Path
) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert table.keyed is None  # PostgreSQL keeps the joined statement
        assert isinstance(table_lines(connection, table, CsvWriter()), CopyLines)
    lines, rows, given, written = exported_both_ways(salted_engine, tmp_path, "time_entries", {})
    assert lines == rows
    assert given == written != {"time_entries": 0}
    # The salt reached the file: a quoted newline (COPY's line ends put right one by one), a
    # neutralised formula, a doubled quote.
    assert b'"tab\tand\nnewline\r\nand carriage\rreturn"' in lines
    assert b",'=1+1," in lines and b'"quotes "" and' in lines


@ON_POSTGRES
def test_a_table_of_one_column_takes_the_line_sql_over_copy_text(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """COPY's CSV would quote a lone `\\.`; the line SQL writes it, its escapes undone."""
    params: dict[str, object] = {"columns": ["description"]}
    planned = plan(salted_engine, tmp_path, "time_entries", params)
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert isinstance(table_lines(connection, table, CsvWriter()), CsvLines)
    lines, rows, given, written = exported_both_ways(
        salted_engine, tmp_path, "time_entries", params
    )
    assert lines == rows
    assert given == written != {"time_entries": 0}
    assert b'\r\n"tab\tand\nnewline\r\nand carriage\rreturn"\r\n' in lines  # escapes undone
    assert b'\r\n""\r\n' in lines  # a lone empty field, quoted as the csv module does


@ON_POSTGRES
def test_what_the_server_does_not_prove_falls_back_to_rows(salted_engine: Engine) -> None:
    money = ExportColumn("amount", "Amount", ColumnKind.MONEY)
    name = ExportColumn("name", "Name", ColumnKind.TEXT)
    with salted_engine.connect() as connection:
        exact = select(cast(literal(Decimal("1.50")), Numeric(10, 2)), literal("x"))
        assert proven(connection, exact, (money, name))
        # A float on the server (psycopg sends a float as float8), though SQLAlchemy calls it
        # a Numeric: its Decimal would be SQLAlchemy's rounding of the float, not the text.
        floating = select(type_coerce(literal(1.5), Numeric(10, 2)), literal("x"))
        assert not proven(connection, floating, (money, name))
        padded = select(cast(literal(Decimal("1.50")), Numeric(10, 2)), cast(literal("x"), CHAR(3)))
        assert not proven(connection, padded, (money, name))  # char(n): psycopg keeps the pad


@ON_POSTGRES
def test_a_timestamp_falls_back_and_parameters_are_converted(
    salted_engine: Engine, tmp_path: Path
) -> None:
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    when = ExportColumn("at", "At", ColumnKind.DATETIME)
    name = ExportColumn("name", "Name", ColumnKind.TEXT)
    stamped = select(
        cast(literal(datetime(2024, 3, 10, 7, tzinfo=UTC)), DateTime(True)), literal("x")
    )
    text = CsvWriter().line_dialect()
    with salted_engine.connect() as connection:
        assert compile_copy(connection, stamped, (when, name), text) is None
        (table,) = table_rows(connection, planned)
        spec = replace(table.spec, columns=(when, *table.spec.columns[1:]))
        assert table_lines(connection, replace(table, spec=spec), CsvWriter()) is None
        # A parameter SQLAlchemy converts before the driver sees it is converted for COPY
        # too: a zone-aware timestamp made UTC (New York's midnight is 05:00 UTC).
        new_year = datetime(2024, 1, 1, tzinfo=ZoneInfo("America/New_York"))
        converted = table.statement.where(literal(new_year, UtcDateTime()).is_not(None))
        copied = compile_copy(connection, converted, table.spec.columns, text)
        assert copied is not None
        assert datetime(2024, 1, 1, 5, tzinfo=UTC) in copied.params.values()
        assert all(not isinstance(v, datetime) or v.tzinfo is UTC for v in copied.params.values())


def test_copys_csv_rows_get_the_writers_line_ends() -> None:
    plain = [memoryview(b"a,b\n"), memoryview(b"c,d\n")]
    assert csv_lines_of(plain) == ["a,b\r\n", "c,d\r\n"]
    quoted = [memoryview(b'"x\ny",1\n'), memoryview(b'"\xc3\xa9\r",2\n')]
    assert csv_lines_of(quoted) == ['"x\ny",1\r\n', '"é\r",2\r\n']


def test_copys_text_rows_are_unescaped() -> None:
    plain = [b"a,b\\r\\n\n", b"\xe5\xb1\xb1,d\\r\\n\n"]
    assert copied_lines(plain) == ["a,b\r\n", "山,d\r\n"]
    escaped = [b'"x\\ny\\\\n\\t\\r\\b\\f\\v",\\\\\\r\\n\n', b"c\\r\\n\n"]
    assert copied_lines(escaped) == ['"x\ny\\n\t\r\b\f\v",\\\r\n', "c\r\n"]


@ON_POSTGRES
def test_a_date_python_cannot_read_fails_the_export_both_ways(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """The rows' path cannot read a date before year 1; the server must not write it either."""
    with salted_engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE time_entry SET date = '0044-03-15 BC' WHERE id = "
                "(SELECT min(id) FROM time_entry)"
            )
        )
    planned = plan(salted_engine, tmp_path, "time_entries", {})
    with pytest.raises(DataError, match="date too small"):
        run_export(salted_engine, with_writer(planned, RowsOnly(CsvWriter())), tmp_path / "rows")
    with pytest.raises(DataError, match="a date Python cannot read: 0044-03-15 BC"):
        run_export(salted_engine, with_writer(planned, LinesSeen(CsvOptions())), tmp_path / "lines")


@ON_POSTGRES
def test_a_cancel_in_the_middle_of_copy_leaves_the_connection_usable(
    salted_engine: Engine, tmp_path: Path
) -> None:
    planned = replace(plan(salted_engine, tmp_path, "time_entries", {}), batch_size=100)
    checks: list[int] = []

    def stop_after_two_batches() -> bool:
        checks.append(1)
        return len(checks) > 2  # the first report and one batch pass; the second stops it

    seen = LinesSeen(CsvOptions())
    with pytest.raises(ExportCancelled):
        run_export(
            salted_engine,
            with_writer(planned, seen),
            tmp_path / "cancelled",
            should_stop=stop_after_two_batches,
        )
    assert seen.lines == {"time_entries": 200}  # stopped inside the COPY, not after it
    # The pooled connection was left ready: the next export on it is whole.
    lines, rows, given, written = exported_both_ways(salted_engine, tmp_path, "time_entries", {})
    assert lines == rows and given == written


@ON_POSTGRES
@pytest.mark.parametrize("columns", [None, ["description"]], ids=["copy-csv", "line-sql"])
def test_another_client_encoding_takes_the_rows_path(
    salted_engine: Engine, columns: list[str] | None
) -> None:
    """COPY's bytes are read as UTF-8: a LATIN1 client encoding (a LATIN1 database, or
    PGCLIENTENCODING) takes the rows' path, which psycopg decodes, on every line path."""
    params: dict[str, object] = {} if columns is None else {"columns": columns}
    planned = plan(salted_engine, Path("/tmp"), "time_entries", params)
    with salted_engine.connect() as connection:
        (table,) = table_rows(connection, planned)
        assert table_lines(connection, table, CsvWriter()) is not None  # UTF-8: lines
        connection.exec_driver_sql("SET client_encoding TO 'LATIN1'")
        try:
            assert table_lines(connection, table, CsvWriter()) is None
        finally:
            connection.exec_driver_sql("RESET client_encoding")


@ON_POSTGRES
def test_copy_reads_on_a_socket_past_descriptor_1024(salted_engine: Engine, tmp_path: Path) -> None:
    """select() refuses a descriptor of 1024 or more, which a process holding many sockets
    reaches; the COPY waits for its rows with poll()."""
    salted_engine.dispose()  # the export's connection is opened after the descriptors below
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with salted_engine.connect() as connection:
            socket = connection.connection.driver_connection.pgconn.socket  # type: ignore[union-attr]
        assert socket >= 1024
        lines, rows, given, written = exported_both_ways(
            salted_engine, tmp_path, "time_entries", {}
        )
        assert lines == rows and given == written != {"time_entries": 0}
    finally:
        for descriptor in held:
            os.close(descriptor)
        salted_engine.dispose()


def test_a_batch_of_copys_rows_stays_bytes_with_the_writers_line_ends() -> None:
    """Joined once, one replace: a lone `\\r` inside a quoted field is kept as it is."""
    plain = [memoryview(b'a,"b\rc"\n'), memoryview(b"\xc3\xa9,d\n")]
    lines = csv_lines_of(plain)
    assert isinstance(lines, EncodedLines)
    assert lines.data == b'a,"b\rc"\r\n\xc3\xa9,d\r\n'
    assert len(lines) == 2 and list(lines) == ['a,"b\rc"\r\n', "é,d\r\n"]
    # A quoted newline, even one ending in `\r\n` itself, is not a line end: that batch is put
    # right message by message.
    quoted = [memoryview(b'"x\r\ny",1\n'), memoryview(b"c,d\n")]
    assert csv_lines_of(quoted) == ['"x\r\ny",1\r\n', "c,d\r\n"]
    assert not isinstance(csv_lines_of(quoted), EncodedLines)


@ON_POSTGRES
def test_dates_in_another_datestyle_are_still_written_iso(
    salted_engine: Engine, tmp_path: Path
) -> None:
    """COPY writes a date itself only in ISO style; in another the server spells it."""
    database = salted_engine.url.database
    with salted_engine.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE \"{database}\" SET DateStyle = 'German, DMY'")
        connection.commit()
    salted_engine.dispose()  # the next connections start in the database's DateStyle
    with salted_engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW DateStyle").scalar_one() == "German, DMY"
    lines, rows, given, written = exported_both_ways(salted_engine, tmp_path, "time_entries", {})
    assert lines == rows and given == written != {"time_entries": 0}
    assert re.search(rb"\r\n20\d\d-\d\d-\d\d,", lines)


@ON_POSTGRES
def test_copys_rows_are_held_as_objects_the_garbage_collector_skips(
    salted_engine: Engine,
) -> None:
    """A batch of memoryviews (objects the collector tracks) made it run every few hundred
    rows over the whole process: half the client's time."""
    with salted_engine.connect() as connection:
        batches = list(copy_batches(connection, "COPY time_entry TO STDOUT (FORMAT csv)", {}, 50))
    rows = [row for batch in batches for row in batch]
    assert len(batches) > 2 and all(len(batch) == 50 for batch in batches[:-1])
    assert rows and not any(gc.is_tracked(row) for row in rows)
    assert all(type(row) is bytes and row.endswith(b"\n") for row in rows)


class EncodedSeen(LinesSeen):
    """`LinesSeen` counting the batches that came as bytes."""

    def __init__(self, options: CsvOptions) -> None:
        super().__init__(options)
        self.encoded = 0

    def write_lines(self, table: str, lines: Sequence[str]) -> None:
        self.encoded += isinstance(lines, EncodedLines)
        super().write_lines(table, lines)


@ON_POSTGRES
@pytest.mark.parametrize("options", DIALECT_OPTIONS, ids=lambda o: ",".join(map(str, o.values())))
def test_batches_without_a_quoted_newline_are_written_as_bytes_in_every_dialect(
    salted_engine: Engine, tmp_path: Path, options: dict[str, object]
) -> None:
    """Small batches, so that many hold none of the salt's quoted newlines and go as COPY's
    bytes (the others line by line): the file is the rows' path's, byte for byte (a gzip
    file's packed bytes too)."""
    csv_options = CsvOptions.model_validate(options)
    planned = replace(plan(salted_engine, tmp_path, "time_entries", {}), batch_size=7)
    reference = run_export(
        salted_engine,
        with_writer(planned, RowsOnly(CsvWriter(options=csv_options))),
        tmp_path / "rows",
    )
    seen = EncodedSeen(csv_options)
    result = run_export(salted_engine, with_writer(planned, seen), tmp_path / "lines")
    assert result.rows_written == reference.rows_written != {"time_entries": 0}
    assert seen.lines == result.rows_written
    batches = -(-result.rows_written["time_entries"] // 7)
    assert 10 < seen.encoded < batches  # both ways, in one file
    assert file_contents(tmp_path / "lines") == file_contents(tmp_path / "rows")
