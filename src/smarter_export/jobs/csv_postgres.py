"""CSV lines from PostgreSQL: which tables may take them, and how they travel.

`csv_sql.PostgresCsv` spells each field on the server, exactly as the writer would spell the
value psycopg gives, but only if the value is of the server type it assumes: a Numeric
expression is a float on the server if one of its terms is, a String may be a padded `char(n)`.
SQLAlchemy's types do not say; the server does, for the statement itself, before a line is
read (`proven`), in the export's snapshot and on its connection.

Then a table of several columns is written by COPY's own CSV (`compile_copy`: the fields are
the writer's text, COPY quotes them); a table of one column takes `csv_sql`'s line SQL, sent
through COPY's text format and unescaped (`postgres_lines`). Both read COPY on the export's
connection (`pg_copy.py`).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.selectable import Subquery

from smarter_export.formats.base import EncodedLines
from smarter_export.formats.safety import FORMULA_TRIGGERS, neutralise
from smarter_export.jobs.csv_sql import LINE_END
from smarter_export.tabular import ColumnKind, ExportColumn

# pg_type OIDs whose psycopg value PostgresCsv spells: text, varchar; int2, int4, int8;
# numeric; date; bool.
SPELT_TYPES: dict[ColumnKind, frozenset[int]] = {
    ColumnKind.TEXT: frozenset({25, 1043}),
    ColumnKind.ID: frozenset({25, 1043}),
    ColumnKind.INTEGER: frozenset({20, 21, 23}),
    ColumnKind.DECIMAL: frozenset({1700}),
    ColumnKind.MONEY: frozenset({1700}),
    ColumnKind.PERCENT: frozenset({1700}),
    ColumnKind.DATE: frozenset({1082}),
    ColumnKind.BOOLEAN: frozenset({16}),
}


def speaks_utf8(connection: Connection) -> bool:
    """Whether the connection's client encoding is UTF-8, as COPY's bytes are read."""
    driver: Any = connection.connection.driver_connection
    return bool(driver.info.encoding == "utf-8")


def proven(connection: Connection, statement: Select[Any], columns: Sequence[ExportColumn]) -> bool:
    """Whether every column of the statement is, on the server, a type its kind is spelt for."""
    result = connection.execute(statement.limit(0))
    try:
        described = result.cursor.description
    finally:
        result.close()
    types = [column[1] for column in described]  # the DB-API type code: a pg_type OID
    return len(types) == len(columns) and all(
        oid in SPELT_TYPES.get(column.kind, frozenset())
        for oid, column in zip(types, columns, strict=True)
    )


@dataclass(frozen=True)
class CopyLines:
    """A table whose rows PostgreSQL writes as CSV itself: `COPY (fields) TO STDOUT (FORMAT
    csv)`, each field already the writer's text of its value (unquoted), COPY quoting it."""

    sql: str  # the fields' SELECT as the driver takes it: one text (NULL: empty) per column
    params: dict[str, Any]
    delimiter: str


def compile_copy(
    connection: Connection, statement: Select[Any], columns: Sequence[ExportColumn], text: Any
) -> CopyLines | None:
    """The table as COPY's CSV, or None where COPY would not write the csv module's bytes.

    COPY's CSV quotes a field exactly when the csv module's QUOTE_MINIMAL does (it holds the
    delimiter, `"`, `\\r` or `\\n`; `"` doubled), with two differences, both kept out: it
    quotes an empty text (the fields give NULL instead, an empty field in both), and a row's
    only field when it is `\\.` (a table of one column goes the way of `csv_sql`). Its line end
    is `\\n`: `copied_csv` puts CsvWriter's in its place.

    The fields are computed over the table's statement as a subquery: the same plan as the
    statement alone (rendered inline, wide rows made PostgreSQL pick a slower one: 6.4 s
    against 3.7 s a million rows). The subquery keeps its ORDER BY and LIMIT, so it is not
    merged into the outer query. SQL promises no order to a query without an ORDER BY of its
    own, so the outer query sorts by the subquery's keys again (`_kept_order`): the planner
    knows the subquery's rows come in that order and adds no sort. Where the keys are not put
    first (`sort_keys_first`: a DISTINCT statement, a key naming an output column; no source's
    statement is either), the order still rests on the subquery's.
    """
    if len(columns) < 2 or connection.dialect.name != "postgresql":
        return None
    if text.delimiter not in COPY_DELIMITERS:
        return None
    if not speaks_utf8(connection):
        return None
    keyed = sort_keys_first(statement)
    rows = keyed.subquery("csv_rows")
    iso_dates = _iso_dates(connection)
    fields = []
    for value, column in zip(list(rows.c)[-len(columns) :], columns, strict=True):
        field = _copy_field(value, column, text.decimal_comma, iso_dates)
        if field is None:
            return None
        fields.append(field)
    order = _kept_order(statement, rows) if keyed is not statement else []
    sent = _as_sent(connection, select(*fields).select_from(rows).order_by(*order))
    return None if sent is None else CopyLines(*sent, text.delimiter)


def sort_keys_first(statement: Select[Any]) -> Select[Any]:
    """The statement with its ORDER BY expressions selected first, the same rows in the same
    order (the table's columns follow them; a DISTINCT statement is left as it is, whose rows
    extra columns would change).

    PostgreSQL sorts the rows of its select list, an ORDER BY expression that is not in the
    list added after it; a key found in the list is taken from there. A key after the text
    columns is found by walking each of them in every comparison (`nocachegetattr`, 10 % of
    the server's samples for the time entries, whose dates tie a thousand times over and are
    decided by `id`); a key first is at a fixed offset. The server's CPU for a million time
    entries: 3.36 s against 3.83 s (psql's `\\copy` of the statement alone: 3.6 s)."""
    keys = [_ordered(clause) for clause in statement._order_by_clauses]
    if statement._distinct or not keys or not all(_of_a_table(key) for key in keys):
        return statement
    labelled = [key.label(f"csv_key_{n}") for n, key in enumerate(keys)]
    return statement.with_only_columns(
        *labelled, *statement.selected_columns, maintain_column_froms=True
    )


def _kept_order(statement: Select[Any], rows: Subquery) -> list[ColumnElement[Any]]:
    """The statement's ORDER BY over its keys as `sort_keys_first` selects them from `rows`:
    each key's column with the clause's own direction and NULLs placement."""
    order = []
    for number, clause in enumerate(statement._order_by_clauses):
        key: ColumnElement[Any] = rows.c[f"csv_key_{number}"]
        for modifier in reversed(_ordering(clause)[1]):
            key = modifier(key)  # `desc_op(key)` is `key.desc()`
        order.append(key)
    return order


def _of_a_table(key: ColumnElement[Any]) -> bool:
    """Whether an ORDER BY key is an expression over a table's columns. Not one that names an
    output column (a label, a text), nor a constant, which PostgreSQL would read as a position
    in the select list (`ORDER BY 1`, a parameter bound client-side): keys put first would be
    what they point at."""
    return isinstance(key, ColumnElement) and bool(key._from_objects)


_ORDERINGS = (
    operators.asc_op,
    operators.desc_op,
    operators.nulls_first_op,
    operators.nulls_last_op,
)


def _ordered(clause: ColumnElement[Any]) -> ColumnElement[Any]:
    """The expression an ORDER BY clause sorts by, without its direction and NULLs placement."""
    return _ordering(clause)[0]


def _ordering(clause: ColumnElement[Any]) -> tuple[ColumnElement[Any], list[Any]]:
    """An ORDER BY clause's expression, and its direction and NULLs placement (outermost
    first)."""
    modifiers = []
    while isinstance(clause, UnaryExpression) and clause.modifier in _ORDERINGS:
        modifiers.append(clause.modifier)
        clause = clause.element
    return clause, modifiers


COPY_DELIMITERS = frozenset({",", ";", "\t", "|"})  # CsvOptions' delimiters, safe in a literal


def _iso_dates(connection: Connection) -> bool:
    """Whether the server writes a date as ISO text (`DateStyle` ISO, the default)."""
    style = connection.exec_driver_sql("SHOW DateStyle").scalar_one()
    return str(style).replace(" ", "").upper().startswith("ISO,")


def _copy_field(
    value: ColumnElement[Any], column: ExportColumn, decimal_comma: bool, iso_dates: bool
) -> ColumnElement[Any] | None:
    """The writer's text of one value, for COPY to quote; NULL for an empty field.

    A value whose own text in COPY is already the writer's (an integer, a numeric without a
    decimal comma, a date in ISO style) is left to COPY: every expression here is evaluated by
    the one process that writes the rows (above the sort, after the parallel workers), and the
    casts and `to_char` cost it 0.3 s of its 2.4 s a million rows."""
    kind = column.kind
    if kind in (ColumnKind.TEXT, ColumnKind.ID):
        guard = neutralise(FORMULA_TRIGGERS[0])[: -len(FORMULA_TRIGGERS[0])]
        if any(len(trigger) != 1 for trigger in FORMULA_TRIGGERS):
            return None
        # ascii() is the first character's code point; 0 for an empty text. Most texts start
        # above every trigger and are decided by one comparison (0.25 s of the writing
        # process's time a million rows, against the IN list and nullif for every value).
        highest = max(ord(trigger) for trigger in FORMULA_TRIGGERS)
        codes = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
        return case(
            (func.ascii(value) > highest, value),
            (_starts_with_trigger(value, codes), literal(guard) + value),
            else_=func.nullif(value, ""),
        )
    if kind in (ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT):
        # numeric's text, COPY's as the cast's: what psycopg's Decimal prints (`proven`).
        return func.replace(cast(value, String), ".", ",") if decimal_comma else value
    if kind == ColumnKind.INTEGER:
        return value
    if kind == ColumnKind.DATE:
        # A date Python cannot hold (before year 1, after 9999, infinity) fails the export, its
        # text in the message; a NULL passes (both comparisons unknown).
        unreadable = literal("a date Python cannot read: ") + cast(value, String)
        fails = cast(cast(unreadable, Integer), String)
        outside = or_(value < literal(date(1, 1, 1)), value > literal(date(9999, 12, 31)))
        if iso_dates:  # COPY writes YYYY-MM-DD itself
            return case((outside, cast(fails, Date)), else_=value)
        return case((outside, fails), else_=func.to_char(value, "YYYY-MM-DD"))
    if kind == ColumnKind.BOOLEAN:
        return case((value.is_(True), "true"), (value.is_(False), "false"))
    return None  # DATETIME: shown in the firm's zone, which the SQL does not know


def _starts_with_trigger(value: ColumnElement[Any], codes: str) -> ColumnElement[bool]:
    """`ascii(value) IN (codes)`, the codes written in the SQL (no parameter per code)."""
    return func.ascii(value).op("IN", is_comparison=True)(literal_column(f"({codes})")).self_group()


def copied_csv(
    connection: Connection, lines: CopyLines, batch_size: int
) -> Generator[Sequence[str], None, None]:
    """The table's lines as COPY writes them, with CsvWriter's line end."""
    from smarter_export.jobs.pg_copy import copy_batches  # psycopg: see `postgres_lines`

    copy_sql = f"COPY ({lines.sql}) TO STDOUT (FORMAT csv, DELIMITER '{lines.delimiter}')"
    was = _set_locally(connection, COPY_SETTINGS)
    for messages in copy_batches(connection, copy_sql, lines.params, batch_size):
        yield csv_lines_of(messages)
    _set_locally(connection, was)


# Settings for the COPY alone: the transaction's (`set_config(..., true)`), put back as they
# were after it; a COPY that fails or stops ends the export's transaction, and them with it.
# - enable_incremental_sort: the sort keys first (`sort_keys_first`), PostgreSQL costed an
#   incremental sort of the time entries over their (tenant, date) index as the cheaper plan:
#   parallel workers each sorting the entries of a date, merged by the leader, 5.4 s against
#   2.8 s (and 5.1 s of the server's CPU against 3.4 s) for the whole sort of the hash joins'
#   rows.
# - jit: a million time entries cost the COPY above `jit_above_cost`, and the leader and each
#   parallel worker compiled its expressions (75 ms in EXPLAIN's JIT timing) and won nothing
#   back: EXPLAIN ANALYZE's execution 1.87 and 1.92 s without, 2.02 and 2.17 s with; the
#   export's wall 2.84 s against 2.91 s (medians of five alternate runs, README).
COPY_SETTINGS: Mapping[str, str | None] = MappingProxyType(
    {"enable_incremental_sort": "off", "jit": "off"}
)


def _set_locally(connection: Connection, values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Set the transaction's settings that the server has (`enable_incremental_sort` is from
    PostgreSQL 13; a value of None is left as it is): one round trip reads them all, one sets
    them; returns what each was (None where the server has no such setting)."""
    names = list(values)  # our constants: safe in the SQL's text
    read = ", ".join(f"current_setting('{name}', true)" for name in names)
    was = dict(zip(names, connection.exec_driver_sql(f"SELECT {read}").one(), strict=True))
    change = {
        name: value for name, value in values.items() if was[name] is not None and value is not None
    }
    if change:
        sets = ", ".join(f"set_config('{name}', %({name})s, true)" for name in change)
        connection.exec_driver_sql(f"SELECT {sets}", change)
    return {name: None if value is None else str(value) for name, value in was.items()}


_ENCODED_END = LINE_END.encode()


def csv_lines_of(messages: Sequence[Any]) -> Sequence[str]:
    """COPY's CSV rows (one a message, each ending "\\n") as lines ending CsvWriter's way.

    A batch is joined once and kept as bytes (`EncodedLines`: CsvWriter writes them as they
    are, 0.2 s a million rows against 0.8 s for a str a line). Where no quoted field of the
    batch holds a newline (its newlines are as many as its rows), every newline is a line end
    and one replace puts CsvWriter's in its place; a field's lone `\\r` is left as it is, as the
    csv module leaves it. A batch with a quoted newline is put right message by message."""
    chunk = b"".join(messages)
    if chunk.count(b"\n") == len(messages):
        return EncodedLines(chunk.replace(b"\n", _ENCODED_END), len(messages), LINE_END)
    return [bytes(message[:-1]).decode() + LINE_END for message in messages]


def postgres_lines(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Generator[list[str], None, None]:
    """The lines of a statement of one column (each row's line), a batch at a time: through
    `COPY (statement) TO STDOUT` on the export's connection, in its transaction, where it can
    be sent as is; else through a server-side cursor."""
    # Imported here: psycopg is about 10 MB that an export from SQLite never uses
    # (`tests/test_cli_imports.py`).
    from smarter_export.jobs.pg_copy import copy_batches

    sent = _as_sent(connection, statement)
    if sent is None:
        for rows in streamed_rows(connection, statement, batch_size):
            yield [line for (line,) in rows]
        return
    sql, params = sent
    for messages in copy_batches(connection, f"COPY ({sql}) TO STDOUT", params, batch_size):
        yield copied_lines(messages)


# A line's text ends with CsvWriter's "\r\n", which COPY's text format sends escaped, and the
# row's own end: each message ends so.
_SENT_END = b"\\r\\n\n"


def copied_lines(messages: Sequence[Any]) -> list[str]:
    """The lines of COPY's text-format messages (one single-column row each), unescaped.

    COPY escapes a backslash, a tab and the control characters \\b \\f \\n \\r \\v; a batch
    whose only backslashes are those of its line ends (almost every batch) is unescaped by one
    replace, the others message by message."""
    chunk = b"".join(messages)
    if chunk.count(b"\\") == 2 * len(messages):
        # No field holds a newline then (it would be escaped): the lines split at each "\n".
        lines = chunk.replace(_SENT_END, b"\n").decode().split("\n")
        lines.pop()  # after the last line end
        return [line + LINE_END for line in lines]
    return [_unescaped(bytes(message)) for message in messages]


_ESCAPED = re.compile(rb"\\(.)", re.DOTALL)
_CONTROLS = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}


def _unescaped(message: bytes) -> str:
    assert message.endswith(b"\n"), "COPY ends every row with a newline"
    text = _ESCAPED.sub(lambda found: _CONTROLS.get(found[1], found[1]), message[:-1])
    return text.decode()


def _as_sent(connection: Connection, statement: Select[Any]) -> tuple[str, dict[str, Any]] | None:
    """The statement's SQL and parameters as SQLAlchemy would hand them to the driver: lists in
    `IN` expanded, each value through its type's bind processor (a boolean made a bool, a
    timestamp made UTC). None if a parameter's name had to be escaped (not one of ours)."""
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    if compiled.escaped_bind_names:
        return None
    expanded = compiled.construct_expanded_state()
    params = dict(expanded.parameters)
    for bind, name in compiled.bind_names.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        for sent in expanded.parameter_expansion.get(name, [name]):
            params[sent] = processor(params[sent])
    return expanded.statement, params


def streamed_rows(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Generator[Sequence[Any], None, None]:
    """Through the result's partitions, not its DB-API cursor: SQLAlchemy has already fetched the
    first rows of a streamed result into its own buffer when `execute` returns. (Slower: a
    cursor's query runs without parallel workers, planned for its first rows.)"""
    streamed = connection.execution_options(stream_results=True, yield_per=batch_size)
    result = streamed.execute(statement)
    try:
        yield from result.partitions()
    finally:
        result.close()
