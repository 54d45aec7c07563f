"""CSV rendered by the database: a table's statement compiled into one whose rows are CSV text.

The CSV writer's work per row (Decimal -> text, neutralising, quoting) and the driver's (a
Python object per value) cost more than the database needs to spell the same row. So, for CSV,
the statement's columns are replaced by the row's text, byte for byte what `CsvWriter` writes
for the typed values: the csv module's QUOTE_MINIMAL rules (a field holding the delimiter, `"`,
`\\r` or `\\n` is quoted, `"` doubled), `neutralise()`'s guard (from `FORMULA_TRIGGERS`), money
as `plain_decimal` prints the Decimal SQLAlchemy would have made, dates as ISO text, NULL as an
empty field. Python only puts the lines together (`csv_lines.py`).

Keyed rows (`sources/keyed.py`) are rendered the same way: each run of cells from one lookup
becomes a ready CSV fragment per key, read once (a nullable lookup's NULL key among them:
`KeyedRows.lookup_rows`), and the main statement renders the fields around the keys, so that a
line is a few strings joined.

Exactness is proved, not hoped for: a column is rendered by SQL only if its SQLAlchemy type is
one whose Python value is known (a text with no result processor, a Numeric as Decimal of a
known scale, a Date, an Integer, a Boolean); a value outside what the SQL provably spells as
Python would (a float not the nearest to a decimal of the scale, -0.0, text in a date column)
is handed to `escape`, the writer's own conversion, called for that value alone. A table with a
column that cannot be proved (a timestamp shown in the firm's zone, a dialect without a
`CsvSqlDialect`) is not compiled: the engine writes it through today's path.

Dialects: `CsvSqlDialect` is the seam. SQLite's is here; another database adds its subclass to
`DIALECTS` (PostgreSQL renders on the server and has no escape to Python).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Date,
    DateTime,
    Dialect,
    Float,
    Integer,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnClause, FunctionElement, Label

from smarter_export.formats.base import CellText, LineDialect
from smarter_export.formats.safety import FORMULA_TRIGGERS, neutralise
from smarter_export.sources.keyed import KeyedRows
from smarter_export.sources.sql import whole_units
from smarter_export.tabular import TEXT_KINDS, ColumnKind, ExportColumn

Text = ColumnElement[str]

# What neutralise() puts in front of a formula: read from it, so there is one rule.
_GUARD = neutralise(FORMULA_TRIGGERS[0])[: -len(FORMULA_TRIGGERS[0])]
assert all(neutralise(trigger) == _GUARD + trigger for trigger in FORMULA_TRIGGERS)
LINE_END = "\r\n"  # CsvWriter's lineterminator


@dataclass(frozen=True)
class Escape:
    """A SQL function, registered on the connection for one export, that renders one value
    the SQL cannot prove it spells as the writer would: the writer's own conversion of it."""

    name: str
    render: Callable[[Any], str]


@dataclass(frozen=True)
class FragmentLookup:
    """One run of cells from one lookup: a dict of key -> their CSV text, read once."""

    statement: Select[Any] | CompoundSelect[Any]  # the key, then the fragment's text


@dataclass(frozen=True)
class CsvLines:
    """A table's CSV lines: the statement's columns are, in order, text and lookup keys."""

    statement: Select[Any]
    pieces: tuple[int | None, ...]  # per statement column: None (its text) or a fragment's index
    fragments: tuple[FragmentLookup, ...]
    escapes: tuple[Escape, ...]


class CsvSqlDialect:
    """How one database spells CSV fields. Methods return the field's text, never NULL."""

    name: ClassVar[str]
    escapes: ClassVar[bool]  # whether a value may be handed to Python (`Escape`)
    prints_units: ClassVar[bool] = False  # whether `units` prints a `whole_units` decimal

    def __init__(self, delimiter: str, decimal_comma: bool) -> None:
        self.delimiter, self.decimal_comma = delimiter, decimal_comma

    def text(self, value: ColumnElement[Any]) -> Text:
        guarded = case((self.starts_with_trigger(value), literal(_GUARD) + value), else_=value)
        needs_quotes = or_(
            *(self.contains(value, special) for special in (self.delimiter, '"', "\r", "\n"))
        )
        quoted = literal('"') + func.replace(guarded, '"', '""') + literal('"')
        return func.coalesce(case((needs_quotes, quoted), else_=guarded), "")

    def starts_with_trigger(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        by_length: dict[int, list[str]] = {}
        for trigger in FORMULA_TRIGGERS:
            by_length.setdefault(len(trigger), []).append(trigger)
        return or_(*(func.substr(value, 1, n).in_(triggers) for n, triggers in by_length.items()))

    def contains(self, value: ColumnElement[Any], special: str) -> ColumnElement[bool]:
        raise NotImplementedError

    def result_processor(self, sql_type: Any, dialect: Dialect) -> Any:
        """What SQLAlchemy does to the driver's value of `sql_type` (None: nothing)."""
        return sql_type.dialect_impl(dialect).result_processor(dialect, None)

    def decimal(self, value: ColumnElement[Any], scale: int, escape: Escape | None) -> Text | None:
        raise NotImplementedError

    def integer(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        raise NotImplementedError

    def units(self, value: whole_units, units: ColumnElement[Any], escape: Escape | None) -> Text:
        """A decimal made of whole units of its last place (`whole_units`), printed from its
        integer `units` (named once); only where `prints_units`."""
        raise NotImplementedError

    def date(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        raise NotImplementedError

    def boolean(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        raise NotImplementedError

    def join(self, fields: Sequence[Text], end: str) -> Text:
        """Fields with the delimiter between them, and `end` after the last."""
        joined: Text = fields[0]
        for field in fields[1:]:
            joined = joined + literal(self.delimiter) + field
        return joined + literal(end) if end else joined


class SqliteCsv(CsvSqlDialect):
    """SQLite: numbers are REAL or INTEGER, dates ISO text; the escape is a Python function on
    the same connection (the export's read snapshot).

    Not ADBC's SQLite driver, though it hands Arrow batches: it bundles its own copy of SQLite,
    and two copies of SQLite in one process opening the same file can corrupt it (their POSIX
    locks do not see each other: sqlite.org, "How To Corrupt An SQLite Database File").
    """

    name = "sqlite"
    escapes = True
    prints_units = True

    def contains(self, value: ColumnElement[Any], special: str) -> ColumnElement[bool]:
        return func.instr(value, special) > 0

    def starts_with_trigger(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        if all(len(trigger) == 1 for trigger in FORMULA_TRIGGERS):  # a number compares fastest
            return func.unicode(value).in_([ord(trigger) for trigger in FORMULA_TRIGGERS])
        return super().starts_with_trigger(value)

    def decimal(self, value: ColumnElement[Any], scale: int, escape: Escape | None) -> Text | None:
        """SQLAlchemy's Decimal is `Decimal("%.{scale}f" % value)`, which prints the double
        correctly rounded. SQLite's printf rounds otherwise (ties, -0.0, digits past the 15th),
        so it is used only where the value is provably the double nearest to n / 10^scale for a
        whole n, and below 10^(15 - scale): there both print exactly n / 10^scale (a tie is half
        a unit of the last place away, and printf keeps 16 digits). An integer below the bound
        prints exactly too. Any other value (a zero REAL, which may be -0.0) goes to the escape.
        `tests/jobs/test_csv_sql.py` holds the text to Python's over thousands of values, ties
        and -0.0 among them (600,000 values of scales 0 to 6 were checked once, none differed)."""
        assert escape is not None
        if scale > 10:
            return None
        unit = 10**scale
        units = cast(func.round(value * unit), Integer)
        exact = and_(
            func.abs(value) < 10 ** (15 - scale),
            or_(
                func.typeof(value) == "integer",
                and_(value != 0, value == units / literal_column(f"{float(unit)!r}")),
            ),
        )
        printed: Text = func.printf(f"%.{scale}f", value)
        if self.decimal_comma:
            printed = func.replace(printed, ".", ",")
        return case(
            (value.is_(None), ""),
            (exact, printed),
            else_=func.coalesce(getattr(func, escape.name)(value), ""),
        )

    def units(self, value: whole_units, units: ColumnElement[Any], escape: Escape | None) -> Text:
        """The integer's digits with the point put in: what `Decimal("%.{places}f" % double)`
        prints for the double SQLite's `round(units / 10^places.0, places)` gives, below 10^15
        units (the double is then the nearest to units / 10^places, printed back exactly). The
        digits of an integer cost a fraction of `decimal`'s checks and `printf` of a double
        (2 s of 6 for the hours and amounts of a million time entries). Not an INTEGER (a REAL
        among a column's integers), or past the bound: the escape, given the divided value the
        rows' path reads."""
        assert escape is not None
        magnitude = func.abs(units, type_=Integer)
        digits: Text = cast(units, String)
        if value.places:
            unit = 10**value.places
            sign = case((units < 0, "-"), else_="")
            point = "," if self.decimal_comma else "."
            fraction = func.substr(cast(unit + magnitude % unit, String), 2)
            digits = sign + cast(magnitude // unit, String) + point + fraction
        return case(
            (units.is_(None), ""),
            (and_(func.typeof(units) == "integer", magnitude < 10**15), digits),
            else_=func.coalesce(getattr(func, escape.name)(value), ""),
        )

    def integer(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        assert escape is not None
        return case(
            (value.is_(None), ""),
            (func.typeof(value) == "integer", cast(value, String)),
            else_=getattr(func, escape.name)(value),
        )

    def date(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        """Stored ISO text, where it is a date Python holds: `date()` alone passes 2024-02-30
        and year 0 through as they are; '+0 days' makes SQLite compute the day (2024-03-01),
        and Python's dates start at year 1. Any other value goes to the escape, which fails
        the export as the rows' path does."""
        assert escape is not None
        valid = and_(func.date(value, "+0 days") == value, value >= "0001-01-01")
        return case(
            (value.is_(None), ""),
            (valid, cast(value, String)),
            else_=getattr(func, escape.name)(value),
        )

    def boolean(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        assert escape is not None
        return case(
            (value.is_(None), ""),
            (and_(func.typeof(value) == "integer", value == 1), "true"),
            (and_(func.typeof(value) == "integer", value == 0), "false"),
            else_=getattr(func, escape.name)(value),
        )


DECIMAL_KINDS = (ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT)
VALUE = "csv_value_"  # the name of a row's n-th value inside `evaluated_once`


class evaluated_once(FunctionElement[str]):
    """`text`, written over the names VALUE0, VALUE1... of `values`, as a scalar subquery of a
    one-row derived table: every value is computed once per row. A field names its value up to
    seven times (is it null, an integer, exact?), and SQLite does not share a repeated
    expression: an amount computed from rate and minutes, rendered inline, cost up to 4 s more
    a million rows; the subquery costs about 0.6 s, so a plain column is named inline."""

    type = String()
    inherit_cache = True


@compiles(evaluated_once)
def _evaluated_once(element: evaluated_once, compiler: SQLCompiler, **kw: Any) -> str:
    text, *values = element.clauses
    inner = {**kw, "within_columns_clause": False, "add_to_result_map": None}
    named = ", ".join(
        f"{compiler.process(value, **inner)} AS {VALUE}{n}" for n, value in enumerate(values)
    )
    return f"(SELECT {compiler.process(text, **inner)} FROM (SELECT {named}) AS csv_row)"


class PostgresCsv(CsvSqlDialect):
    """PostgreSQL: every field is spelt on the server, with no escape to Python.

    What makes it exact is the result's types, which the SQL expression's SQLAlchemy type does
    not prove (a Numeric expression may be a float on the server): `csv_postgres.py` asks the
    server for the statement's column types before the lines are used, and only a text or
    varchar, an int2/4/8, a numeric, a date or a boolean takes this path. For those, psycopg's
    value is known: text as is; an int; a numeric is `Decimal(its text)` (SQLAlchemy leaves a
    numeric alone), whose `plain_decimal` is that text again (PostgreSQL never writes an
    exponent, nor a negative zero); a date is Python's only between years 1 and 9999.
    """

    name = "postgresql"
    escapes = False

    def starts_with_trigger(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        if all(len(trigger) == 1 for trigger in FORMULA_TRIGGERS):  # ascii(): the code point
            return func.ascii(value).in_([ord(trigger) for trigger in FORMULA_TRIGGERS])
        return super().starts_with_trigger(value)

    def contains(self, value: ColumnElement[Any], special: str) -> ColumnElement[bool]:
        return func.strpos(value, special) > 0

    def result_processor(self, sql_type: Any, dialect: Dialect) -> Any:
        if isinstance(sql_type, Numeric) and not isinstance(sql_type, Float):
            return sql_type.dialect_impl(dialect).result_processor(dialect, NUMERIC_OID)
        return super().result_processor(sql_type, dialect)

    def decimal(self, value: ColumnElement[Any], scale: int, escape: Escape | None) -> Text | None:
        printed: Text = cast(value, String)
        if self.decimal_comma:
            printed = func.replace(printed, ".", ",")
        return func.coalesce(printed, "")

    def integer(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        return func.coalesce(cast(value, String), "")

    def date(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        """ISO text; a date Python cannot hold (before year 1, after 9999, infinity) fails the
        export, as psycopg fails reading it, instead of being written as the server spells it."""
        readable = and_(value >= literal(date(1, 1, 1)), value <= literal(date(9999, 12, 31)))
        unreadable = literal("a date Python cannot read: ") + cast(value, String)
        return case(
            (value.is_(None), ""),
            (readable, func.to_char(value, "YYYY-MM-DD")),
            else_=cast(cast(unreadable, Integer), String),  # the cast fails, naming the value
        )

    def boolean(self, value: ColumnElement[Any], escape: Escape | None) -> Text | None:
        return case((value.is_(True), "true"), (value.is_(False), "false"), else_="")


NUMERIC_OID = 1700  # PostgreSQL's numeric, as a result column's type code

DIALECTS: dict[str, type[CsvSqlDialect]] = {
    SqliteCsv.name: SqliteCsv,
    PostgresCsv.name: PostgresCsv,
}


def _unlabelled(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return value.element if isinstance(value, Label) else value


def _is_column(value: ColumnElement[Any]) -> bool:
    """A table's column, which costs nothing to name again."""
    return isinstance(_unlabelled(value), ColumnClause)


class _Compiler:
    def __init__(
        self, dialect: Dialect, csv: CsvSqlDialect, cell_text: Callable[[ExportColumn], CellText]
    ) -> None:
        self.dialect, self.csv, self.cell_text = dialect, csv, cell_text
        self.escapes: list[Escape] = []

    def field(self, value: ColumnElement[Any], column: ExportColumn) -> Text | None:
        """The CSV field of one value, or None where the SQL cannot prove it writes the same."""
        sql_type = value.type
        processor = self.csv.result_processor(sql_type, self.dialect)
        if column.kind in TEXT_KINDS:
            return self.csv.text(value) if isinstance(sql_type, String) and not processor else None
        if column.kind == ColumnKind.INTEGER:
            fits = isinstance(sql_type, Integer) and processor is None
            return self.csv.integer(value, self._escape(column, processor)) if fits else None
        if column.kind in DECIMAL_KINDS:
            scale = self._decimal_scale(sql_type, column)
            if scale is None:
                return None
            return self.csv.decimal(value, scale, self._escape(column, processor))
        if column.kind == ColumnKind.DATE:
            fits = isinstance(sql_type, Date) and not isinstance(sql_type, DateTime)
            return self.csv.date(value, self._escape(column, processor)) if fits else None
        if column.kind == ColumnKind.BOOLEAN and isinstance(sql_type, Boolean):
            return self.csv.boolean(value, self._escape(column, processor))
        return None  # DATETIME: shown in the firm's zone, which the SQL does not know

    def _decimal_scale(self, sql_type: Any, column: ExportColumn) -> int | None:
        """The places a decimal column is printed with, or None where the SQL cannot print it."""
        if column.kind not in DECIMAL_KINDS or not isinstance(sql_type, Numeric):
            return None
        if isinstance(sql_type, Float) or not sql_type.asdecimal:
            return None
        if self.csv.decimal_comma and self.csv.delimiter == ",":
            return None
        scale: int = sql_type._effective_decimal_return_scale
        return scale

    def _units_field(
        self, value: ColumnElement[Any], column: ExportColumn, computed: list[ColumnElement[Any]]
    ) -> Text | None:
        """The field of a `whole_units` decimal printed from its integer, or None (another
        value, or a dialect that does not print them): its units are then computed once."""
        whole = _unlabelled(value)
        if not self.csv.prints_units or not isinstance(whole, whole_units):
            return None
        if self._decimal_scale(whole.type, column) != whole.places:
            return None
        processor = self.csv.result_processor(whole.type, self.dialect)
        units = self._named(whole.units, computed)
        return self.csv.units(whole, units, self._escape(column, processor))

    def _named(
        self, value: ColumnElement[Any], computed: list[ColumnElement[Any]]
    ) -> ColumnElement[Any]:
        """A table's column as it is; a computed value by the name it is computed once under."""
        if _is_column(value):
            return _unlabelled(value)
        computed.append(value)
        return literal_column(f"{VALUE}{len(computed) - 1}", value.type)

    def piece(
        self,
        values: Sequence[ColumnElement[Any]],
        columns: Sequence[ExportColumn],
        end: str,
        *,
        alone: bool,
    ) -> Text | None:
        """The fields of neighbouring values, delimited, then `end`; `alone`: the row's only
        field. A computed value is named, and its field written over the name, so that it is
        computed once (`evaluated_once`)."""
        computed: list[ColumnElement[Any]] = []
        fields = []
        for value, column in zip(values, columns, strict=True):
            field = self._units_field(value, column, computed)
            if field is None:
                field = self.field(self._named(value, computed), column)
            fields.append(field)
        texts = [field for field in fields if field is not None]
        if len(texts) < len(fields):
            return None
        if alone:  # the csv module quotes a row's only field when it is empty
            texts = [case((texts[0] == "", '""'), else_=texts[0])]
        line = self.csv.join(texts, end)
        return evaluated_once(line, *computed) if computed else line

    def _escape(self, column: ExportColumn, processor: Any) -> Escape | None:
        if not self.csv.escapes:
            return None
        render = self.cell_text(column)
        typed = processor or (lambda value: value)
        delimiter = self.csv.delimiter
        escape = Escape(
            f"smarter_export_csv_{len(self.escapes)}",
            lambda v: _as_field(render(typed(v)), delimiter),
        )
        self.escapes.append(escape)
        return escape


def _as_field(text: str, delimiter: str) -> str:
    """`text` as the csv module writes it among a row's fields (an escaped value may be any
    text: SQLite lets an INTEGER column hold "a,b")."""
    if not text:
        return text  # the csv module's quoted lone empty field is the caller's (`alone`)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow([text])
    return out.getvalue()


def compile_lines(
    dialect: Dialect,
    statement: Select[Any],
    columns: Sequence[ExportColumn],
    text: LineDialect,
    keyed: KeyedRows | None = None,
) -> CsvLines | None:
    """The table's rows as CSV lines (`keyed`'s when given, else the statement's), or None if
    a column or the dialect cannot be rendered exactly: then the table goes the Python way."""
    chosen = DIALECTS.get(dialect.name)
    if chosen is None or statement._distinct:
        return None
    compiler = _Compiler(dialect, chosen(text.delimiter, text.decimal_comma), text.cell_text)
    main = keyed.statement if keyed is not None else statement
    main_columns = list(main.selected_columns)
    runs = _runs(columns, keyed)
    pieces: list[int | None] = []
    selected: list[ColumnElement[Any]] = []
    fragments: list[FragmentLookup] = []
    for number, run in enumerate(runs):
        if run.lookup is None:
            values = [main_columns[source] for source in run.sources]
        else:
            assert keyed is not None
            looked_up = list(keyed.lookups[run.lookup].selected_columns)
            values = [looked_up[1 + value] for value in run.values]
        end = LINE_END if number == len(runs) - 1 else text.delimiter
        line = compiler.piece(values, run.columns, end, alone=len(columns) == 1)
        if line is None:
            return None
        if run.lookup is None:
            pieces.append(None)
            selected.append(line)
        else:
            assert keyed is not None
            fragments.append(FragmentLookup(keyed.lookup_rows(run.lookup, line)))
            pieces.append(len(fragments) - 1)
            selected.append(main_columns[run.sources[0]])
    return CsvLines(
        main.with_only_columns(*selected, maintain_column_froms=True),
        tuple(pieces),
        tuple(fragments),
        tuple(compiler.escapes),
    )


@dataclass
class _Run:
    """Neighbouring cells read alike: from the main statement, or from one lookup by one key."""

    lookup: int | None
    sources: list[int]  # the statement's columns: the values, or the lookup's key
    values: list[int]  # the lookup's values
    columns: list[ExportColumn]


def _runs(columns: Sequence[ExportColumn], keyed: KeyedRows | None) -> list[_Run]:
    runs: list[_Run] = []
    for position, column in enumerate(columns):
        lookup, source, value = None, position, 0
        if keyed is not None:
            cell = keyed.cells[position]
            lookup, source, value = cell.lookup, cell.column, cell.value
        last = runs[-1] if runs else None
        if last and last.lookup == lookup and (lookup is None or last.sources[0] == source):
            last.sources.append(source)
            last.values.append(value)
            last.columns.append(column)
        else:
            runs.append(_Run(lookup, [source], [value], [column]))
    return runs
