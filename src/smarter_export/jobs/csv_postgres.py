"""CSV lines from PostgreSQL: which tables may take them, and how they travel.

`csv_sql.PostgresCsv` spells each field on the server, exactly as the writer would spell the
value psycopg gives, but only if the value is of the server type it assumes: a Numeric
expression is a float on the server if one of its terms is, a String may be a padded `char(n)`.
SQLAlchemy's types do not say; the server does, for the statement itself, before a line is
read (`proven`), in the export's snapshot and on its connection.

The lines then come through a server-side cursor, as the DB-API's tuples (no Row objects), a
batch at a time.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from typing import Any

from sqlalchemy import Connection, Select

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


def postgres_lines(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Generator[list[str], None, None]:
    """The lines of a statement of one column (each row's line), a batch at a time: through
    `COPY (statement) TO STDOUT` on the export's connection, in its transaction, where it can
    be sent as is; else through a server-side cursor."""
    sent = _as_sent(connection, statement)
    if sent is None:
        for rows in _through_a_cursor(connection, statement, batch_size):
            yield [line for (line,) in rows]
        return
    sql, params = sent
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
        messages: list[Any] = []
        for message in copy:  # one row each
            messages.append(message)
            if len(messages) == batch_size:
                yield copied_lines(messages)
                messages = []
        if messages:
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
    """The statement's SQL and parameters as the driver would be given them (lists in `IN`
    expanded), or None where SQLAlchemy would convert a parameter first (a bind processor): it
    then goes by cursor."""
    expanded = statement.compile(dialect=connection.dialect).construct_expanded_state()
    if any(name in expanded.processors for name in expanded.parameters):
        return None
    return expanded.statement, dict(expanded.parameters)


def _through_a_cursor(
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
