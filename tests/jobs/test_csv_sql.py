"""The database's CSV text of single values is the writer's, including the values SQL gets wrong.

SQLite's printf rounds ties and -0.0 otherwise than Python, dates may be stored in other
spellings, an INTEGER column may hold a REAL: each such value must still come out as
`CsvWriter` writes the value SQLAlchemy gives. And every case the SQL cannot prove is refused
(the table goes the Python way).
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    create_engine,
    select,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.expression import type_coerce

from smarter_export.domain.types import Money, UtcDateTime
from smarter_export.formats.csv_options import CsvOptions
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.safety import neutralise
from smarter_export.jobs.batches import typed_batches
from smarter_export.jobs.csv_lines import line_batches
from smarter_export.jobs.csv_sql import compile_lines
from smarter_export.sources.sql import money_from_cents, whole_units
from smarter_export.tabular import ColumnKind, ExportColumn, ExportInfo, ExportOutcome, TableSpec

metadata = MetaData()
values = Table(
    "value",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("money", Money()),
    Column("ratio", Numeric(18, 4)),
    Column("day", Date),
    Column("count", Integer),
    Column("flag", Boolean),
    Column("note", String),
    Column("at", UtcDateTime()),
    Column("real", Float),
)
INFO = ExportInfo("t", "t", "Firm", datetime(2024, 1, 1, tzinfo=UTC), "me", timezone="UTC")
SPECIALS = ",;\t|\"\r\n=+-@ 'aé😀\x01"


def column(kind: ColumnKind) -> ExportColumn:
    return ExportColumn(str(kind), str(kind), kind)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'values.db'}")
    metadata.create_all(made)
    yield made
    made.dispose()


def money_edges() -> list[Any]:
    """Floats SQLite's printf gets wrong, next to the ordinary ones."""
    random.seed(12)
    edges: list[Any] = [0, 0.0, -0.0, -0.001, 0.001, 2.675, 1.005, 0.125, -0.125, 5, -5, 1e13]
    edges += [1e15, 1e22, -1e22, 2**53 + 1, 123456789012.34, -999999999999.99, float("inf")]
    edges += [9999999999999.99, 99999999999999.99, 0.1 + 0.2, 1 / 3, -1e-7, None]
    edges += [random.randint(-(10**12), 10**12) / 100 for _ in range(3000)]
    edges += [random.randint(-(10**9), 10**9) / 1000 for _ in range(3000)]  # ties among them
    edges += [random.uniform(-1e14, 1e14) for _ in range(1000)]
    return edges


def reference_lines(
    engine: Engine, statement: Select[Any], columns: Sequence[ExportColumn], options: CsvOptions
) -> str:
    """The rows' path: SQLAlchemy's typed values through CsvWriter's rows, past the header."""
    return written(engine, statement, columns, options, lines=False)


def database_lines(
    engine: Engine, statement: Select[Any], columns: Sequence[ExportColumn], options: CsvOptions
) -> str:
    """The lines' path: the database's text through CsvWriter's lines, past the header."""
    return written(engine, statement, columns, options, lines=True)


def written(
    engine: Engine,
    statement: Select[Any],
    columns: Sequence[ExportColumn],
    options: CsvOptions,
    *,
    lines: bool,
) -> str:
    writer = CsvWriter(options=options.model_copy(update={"byte_order_mark": False}))
    table = TableSpec("value", "Values", tuple(columns))
    path = Path(str(engine.url.database)).with_suffix(".csv")
    writer.open(path, INFO, [table])
    with engine.connect() as connection:
        if lines:
            compiled = compile_lines(connection.dialect, statement, columns, writer.line_dialect())
            assert compiled is not None, "the SQL renders these columns"
            for batch in line_batches(connection, compiled, 500):
                writer.write_lines(table.name, batch)
        else:
            for rows in typed_batches(connection, statement, 500):
                writer.write_rows(table.name, rows)
    writer.close(ExportOutcome({}))
    return path.read_bytes().decode().split("\r\n", 1)[1]


def put(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Stored as given, past SQLAlchemy's own conversions, as another program could."""
    with engine.begin() as connection:
        for number, row in enumerate(rows, start=1):
            names = ", ".join(["id", *row])
            marks = ", ".join(["?"] * (len(row) + 1))
            connection.exec_driver_sql(
                f"INSERT INTO value ({names}) VALUES ({marks})", (number, *row.values())
            )


@pytest.mark.parametrize(
    "options", [{}, {"delimiter": ";", "decimalSeparator": ","}], ids=["point", "comma"]
)
def test_money_is_printed_as_sqlalchemys_decimal_for_every_float(
    engine: Engine, options: dict[str, object]
) -> None:
    put(engine, [{"money": v, "ratio": v, "real": v} for v in money_edges()])
    computed = type_coerce(values.c.real * 1, Numeric(14, 2))  # named once: `evaluated_once`
    statement = select(values.c.id, values.c.money, values.c.ratio, computed).order_by("id")
    money, ratio = column(ColumnKind.MONEY), column(ColumnKind.PERCENT)
    kinds = [column(ColumnKind.INTEGER), money, ratio, money]
    csv_options = CsvOptions.model_validate(options)
    expected = reference_lines(engine, statement, kinds, csv_options)
    assert expected.count("\r\n") > 7000
    assert database_lines(engine, statement, kinds, csv_options) == expected
    # -0.0 and a tie were among them, printed as Python prints them (SQLite's printf would not).
    fields = {
        field for line in expected.split("\r\n") for field in line.split(csv_options.delimiter)
    }
    point = "," if options else "."
    assert {f"-0{point}00", f"2{point}67", f"1{point}00", f"0{point}12"} <= fields


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_text_is_neutralised_and_quoted_as_the_csv_module_does(
    engine: Engine, delimiter: str
) -> None:
    random.seed(5)
    notes = [None, "", *SPECIALS]
    notes += ["".join(random.choices(SPECIALS, k=random.randint(1, 6))) for _ in range(4000)]
    put(engine, [{"note": note} for note in notes])
    statement = select(values.c.note, values.c.id).order_by(values.c.id)
    kinds = [column(ColumnKind.TEXT), column(ColumnKind.INTEGER)]
    options = CsvOptions.model_validate({"delimiter": delimiter})
    expected = reference_lines(engine, statement, kinds, options)
    assert database_lines(engine, statement, kinds, options) == expected
    read = list(csv.reader(io.StringIO(expected, newline=""), delimiter=delimiter))
    assert [row[0] for row in read] == [neutralise(note or "") for note in notes]


def test_a_lone_empty_field_is_quoted_as_the_csv_module_does(engine: Engine) -> None:
    put(engine, [{"note": note} for note in (None, "", "x", '"')])
    statement = select(values.c.note).order_by(values.c.id)
    kinds = [column(ColumnKind.TEXT)]
    expected = reference_lines(engine, statement, kinds, CsvOptions())
    assert expected.startswith('""\r\n""\r\nx\r\n')
    assert database_lines(engine, statement, kinds, CsvOptions()) == expected


def test_dates_integers_and_booleans_stored_otherwise_read_as_sqlalchemy_reads_them(
    engine: Engine,
) -> None:
    put(
        engine,
        [
            {"day": "2024-03-10", "count": 7, "flag": 1},
            {"day": "2024-W09-5", "count": 5.5, "flag": 0},  # a week date, a REAL
            {"day": "0999-12-31", "count": -(2**62), "flag": 2},  # any non-zero is true
            {"day": None, "count": None, "flag": None},
        ],
    )
    statement = select(values.c.day, values.c.count, values.c.flag).order_by(values.c.id)
    kinds = [column(ColumnKind.DATE), column(ColumnKind.INTEGER), column(ColumnKind.BOOLEAN)]
    expected = reference_lines(engine, statement, kinds, CsvOptions())
    assert expected.split("\r\n")[1] == "2024-03-01,5.5,false"
    assert database_lines(engine, statement, kinds, CsvOptions()) == expected


@pytest.mark.parametrize("day", ["2024-02-30", "2023-02-29", "0000-01-01", "-0001-01-01"])
def test_an_impossible_date_fails_as_the_rows_fail(engine: Engine, day: str) -> None:
    """SQLite's date() passes 2024-02-30 and year 0 through as they are; such a value is never
    written: the export fails, as SQLAlchemy's reading of it does."""
    put(engine, [{"day": "2024-03-10"}, {"day": day}])
    statement = select(values.c.day).order_by(values.c.id)
    kinds = [column(ColumnKind.DATE)]
    with pytest.raises(ValueError, match=r"out of range|[Ii]nvalid isoformat"):
        reference_lines(engine, statement, kinds, CsvOptions())
    # The escape, SQLAlchemy's own reading of the value, raises inside SQLite.
    with pytest.raises(sqlite3.OperationalError, match=r"user-defined function raised exception"):
        database_lines(engine, statement, kinds, CsvOptions())


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_an_escaped_value_is_quoted_as_the_csv_module_quotes_it(
    engine: Engine, delimiter: str
) -> None:
    """SQLite lets an INTEGER column hold any text; the writer's own conversion of it is
    quoted among the line's fields as the rows' path quotes it."""
    put(engine, [{"count": text, "note": "x"} for text in ("a,b", '"q', "1;2", "a\tb", "a|b")])
    statement = select(values.c.count, values.c.note).order_by(values.c.id)
    kinds = [column(ColumnKind.INTEGER), column(ColumnKind.TEXT)]
    options = CsvOptions.model_validate({"delimiter": delimiter})
    expected = reference_lines(engine, statement, kinds, options)
    assert database_lines(engine, statement, kinds, options) == expected


def test_what_the_sql_cannot_prove_goes_the_python_way(engine: Engine) -> None:
    text = CsvWriter().line_dialect()
    comma = CsvWriter(
        options=CsvOptions.model_validate({"delimiter": ";", "decimalSeparator": ","})
    )
    decimal_comma = comma.line_dialect()
    one = select(values.c.id)
    cases: list[tuple[str, Select[Any], ColumnKind, Any]] = [
        ("a timestamp, shown in the firm's zone", select(values.c.at), ColumnKind.DATETIME, text),
        ("money as a float", select(values.c.real), ColumnKind.MONEY, text),
        ("money that is text", select(values.c.note), ColumnKind.MONEY, text),
        ("text that is a number", one, ColumnKind.TEXT, text),
        ("an integer that is a Decimal", select(values.c.money), ColumnKind.INTEGER, text),
        ("a date that is a timestamp", select(values.c.at), ColumnKind.DATE, text),
        ("a boolean that is a number", one, ColumnKind.BOOLEAN, text),
        ("rows made distinct", select(values.c.note).distinct(), ColumnKind.TEXT, text),
    ]
    for why, statement, kind, dialect in cases:
        assert compile_lines(engine.dialect, statement, [column(kind)], dialect) is None, why
    # A decimal comma beside a comma delimiter (the options refuse it; the compiler too).
    beside = type(decimal_comma)(",", True, decimal_comma.cell_text)
    assert (
        compile_lines(engine.dialect, select(values.c.money), [column(ColumnKind.MONEY)], beside)
        is None
    )
    # A database without a CsvSqlDialect.
    assert compile_lines(mysql.dialect(), one, [column(ColumnKind.INTEGER)], text) is None
    # And what is proved is taken (the cases above are refused for their reason alone).
    assert compile_lines(engine.dialect, one, [column(ColumnKind.INTEGER)], text) is not None


def units_edges() -> list[Any]:
    """Integers of every size and sign about the bound, and what else a column may hold."""
    random.seed(15)
    edges: list[Any] = [0, 1, -1, 5, -5, 99, -99, 100, -100, 101, -101, 10**15 - 1, -(10**15 - 1)]
    edges += [10**15, -(10**15), 2**53 + 1, -(2**62), 12.5, -0.0, 7.0, "12", None]
    edges += [random.randint(-(10**14), 10**14) for _ in range(3000)]
    edges += [random.randint(-10_000, 10_000) for _ in range(1000)]
    return edges


@pytest.mark.parametrize(
    "options", [{}, {"delimiter": ";", "decimalSeparator": ","}], ids=["point", "comma"]
)
def test_whole_units_are_printed_from_the_integer_as_sqlalchemys_decimal(
    engine: Engine, options: dict[str, object]
) -> None:
    """`whole_units` (cents, hundredths of an hour, a ratio's places) printed from the integer,
    against the rows' path reading the divided double: REALs, text, NULL and the huge among
    them take the escape."""
    put(engine, [{"count": v} for v in units_edges()])
    statement = select(
        values.c.id,
        money_from_cents(values.c.count),
        whole_units(values.c.count, 4, Numeric(18, 4)),
        whole_units(values.c.count, 0, Numeric(18, 0)),
    ).order_by("id")
    kinds = [column(ColumnKind.INTEGER), *(column(ColumnKind.DECIMAL) for _ in range(3))]
    csv_options = CsvOptions.model_validate(options)
    with engine.connect() as connection:
        compiled = compile_lines(
            connection.dialect, statement, kinds, CsvWriter(options=csv_options).line_dialect()
        )
    assert compiled is not None
    assert "printf" not in str(compiled.statement)  # the integer's digits, not the double's
    expected = reference_lines(engine, statement, kinds, csv_options)
    assert expected.count("\r\n") > 4000
    assert database_lines(engine, statement, kinds, csv_options) == expected
    point = "," if options else "."
    fields = {
        field for line in expected.split("\r\n") for field in line.split(csv_options.delimiter)
    }
    assert {f"-0{point}05", f"0{point}99", f"-0{point}0099", f"9999999999999{point}99"} <= fields
