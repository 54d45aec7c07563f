"""A table's CSV lines as the database renders them (`csv_sql.py`), a batch at a time.

The engine asks `table_lines` first: a table whose writer takes lines (`LineWriter`) and whose
columns the database can render exactly is read here, its lines put together by one generated
function per export (the text of the main statement's fields around its lookups' fragments);
any other table keeps the rows' path (`batches.py`). Both read on the export's connection, in
its read snapshot.

"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select

from smarter_export.formats.base import ExportWriter, LineWriter
from smarter_export.jobs.batches import outside_the_firm
from smarter_export.jobs.csv_postgres import (
    CopyLines,
    compile_copy,
    copied_csv,
    postgres_lines,
    proven,
    speaks_utf8,
    streamed_rows,
)
from smarter_export.jobs.csv_sql import CsvLines, Escape, compile_lines
from smarter_export.jobs.limits import TableRows

Assembler = Callable[[Sequence[Any]], list[str]]


def table_lines(
    connection: Connection, table: TableRows, writer: ExportWriter
) -> CsvLines | CopyLines | None:
    """The table's lines as the database renders them, or None: the writer takes rows only, or
    a column cannot be rendered exactly on this database."""
    if not isinstance(writer, LineWriter):
        return None
    text = writer.line_dialect()
    if connection.dialect.name == "postgresql":
        # COPY's bytes are read as UTF-8 on every line path; another client encoding (a LATIN1
        # database, PGCLIENTENCODING) takes the rows' path, which psycopg decodes.
        if not speaks_utf8(connection):
            return None
        if not proven(connection, table.statement, table.spec.columns):
            return None
        copied = compile_copy(connection, table.statement, table.spec.columns, text)
        if copied is not None:
            return copied
    return compile_lines(connection.dialect, table.statement, table.spec.columns, text, table.keyed)


def line_batches(
    connection: Connection, lines: CsvLines | CopyLines, batch_size: int
) -> Generator[Sequence[str], None, None]:
    """The table's lines, a batch at a time."""
    if isinstance(lines, CopyLines):
        yield from copied_csv(connection, lines, batch_size)
        return
    if connection.dialect.name == "postgresql" and lines.pieces == (None,):
        yield from postgres_lines(connection, lines.statement, batch_size)
        return
    with _escapes(connection, lines.escapes):
        fragments = [_fragments(connection, fragment.statement) for fragment in lines.fragments]
        assemble = _compile_assembler(lines.pieces, fragments)
        yield from _lines(assemble, _rows(connection, lines.statement, batch_size))


def _lines(
    assemble: Assembler, rows: Generator[Sequence[Any], None, None]
) -> Generator[list[str], None, None]:
    with closing(rows):  # the cursor reset now, in this thread, when the lines stop early
        for batch in rows:
            try:
                yield assemble(batch)
            except KeyError as missing:
                raise outside_the_firm(missing.args[0]) from None


def _fragments(
    connection: Connection, statement: Select[Any] | CompoundSelect[Any]
) -> dict[Any, str]:
    """A lookup's fragments by key (the rows are a key and a text), from the DB-API cursor as
    `_rows` reads the lines: a firm's 63,821 invoices in 0.15 s, against 0.20 s as SQLAlchemy's
    rows."""
    result = connection.execute(statement)
    try:
        return dict(result.cursor.fetchall())
    finally:
        result.close()


def _rows(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Generator[Sequence[Any], None, None]:
    if connection.dialect.name != "sqlite":  # a server's cursor, streamed
        yield from streamed_rows(connection, statement, batch_size)
        return
    result = connection.execute(statement)
    try:
        cursor = result.cursor  # the lines are text: the DB-API's tuples need no processing
        while batch := cursor.fetchmany(batch_size):
            yield batch
    finally:
        result.close()


@contextmanager
def _escapes(connection: Connection, escapes: Sequence[Escape]) -> Iterator[None]:
    """The escapes as SQL functions of this connection while this export reads. Afterwards
    each name is left bound to None (Python's sqlite3 cannot unregister a function): the
    export's closures and writer are let go, and a later export binds the name anew before
    its statement runs (a connection serves one export at a time)."""
    driver: Any = connection.connection.driver_connection if escapes else None
    for escape in escapes:
        driver.create_function(escape.name, 1, escape.render, deterministic=True)
    try:
        yield
    finally:
        for escape in escapes:
            driver.create_function(escape.name, 1, None)


def _compile_assembler(pieces: Sequence[int | None], fragments: list[dict[Any, str]]) -> Assembler:
    """A function turning a batch into lines, generated once per export from the pieces'
    positions (no value enters the source)."""
    namespace: dict[str, object] = {}
    parts = []
    for index, fragment in enumerate(pieces):
        if fragment is None:
            parts.append(f"v{index}")
        else:
            namespace[f"F{fragment}"] = fragments[fragment]
            parts.append(f"F{fragment}[v{index}]")
    values = ", ".join(f"v{index}" for index in range(len(pieces)))
    source = f"def assemble(batch):\n    return [{' + '.join(parts)} for {values}, in batch]"
    exec(compile(source, "<csv lines>", "exec"), namespace)  # noqa: S102
    assemble = namespace["assemble"]
    assert callable(assemble)
    return assemble
