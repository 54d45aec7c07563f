"""Rows of a statement, a batch at a time, typed as SQLAlchemy types them, without Row objects.

On SQLite every value goes through Python anyway (dates are text, decimals are floats), and
SQLAlchemy's Row objects and per-row processing cost more than the values: here the DB-API
cursor's batches are converted a column at a time with SQLAlchemy's own result processors, so
the values are exactly those SQLAlchemy would give, for a fraction of the work. Other databases
stream through SQLAlchemy's server-side cursor as before.

`keyed_batches` reads a source's `KeyedRows` the same way: the main table's rows from the cursor,
their names from dicts of the small tables, one generated function per export putting each row
together (and converting its values) in a single pass. It reads their form for values, which
joins a large lookup (a firm's invoices) rather than hold it as Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select

from smarter_export.kept import KeptValues
from smarter_export.sources.keyed import KeyedRows
from smarter_export.tabular import Row

Processor = Callable[[Any], Any]


def typed_batches(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Generator[Sequence[Row], None, None]:
    if connection.dialect.name != "sqlite":
        streamed = connection.execution_options(stream_results=True, yield_per=batch_size)
        yield from streamed.execute(statement).partitions()
        return
    result = connection.execute(statement)
    try:
        # The sqlite3 cursor steps through the statement as rows are fetched: nothing is buffered.
        cursor = result.cursor
        kept = [
            (index, conversions(processor))
            for index, processor in _processors(connection, statement, cursor.description)
        ]
        while batch := cursor.fetchmany(batch_size):
            yield _converted(batch, kept) if kept else batch
    finally:
        result.close()


def _processors(
    connection: Connection, statement: Select[Any], description: Sequence[Sequence[Any]]
) -> list[tuple[int, Processor]]:
    dialect = connection.dialect
    found: list[tuple[int, Processor]] = []
    for index, (column, described) in enumerate(
        zip(statement.selected_columns, description, strict=True)
    ):
        processor = column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        if processor is not None:
            found.append((index, processor))
    return found


# The driver's values of one column kept with their conversions (`conversions`): a firm's rates,
# hours and amounts repeat from row to row (156, 21 and some 3,300 distinct values over the demo
# firm's million time entries) and its dates span a few thousand days. At most some 16,384 x
# 200 bytes a column, however many rows.
CONVERSIONS_KEPT = 16_384
# What a conversion may give to be kept and handed to every row with that value: values no row
# can change.
_IMMUTABLE = frozenset({Decimal, date, datetime, str, int, float, bool, type(None)})


def conversions(processor: Processor) -> KeptValues:
    """A column's converted values by the driver's value: a value met again costs one dict
    lookup in C instead of its result processor (a Decimal's: 0.27 µs, three money columns a
    time entry)."""
    return KeptValues(processor, CONVERSIONS_KEPT, _shareable)


def _shareable(value: Any, converted: Any) -> bool:
    """Whether every row with `value` may be handed `converted`: a value no row can change, from
    a driver's plain value (equal ones, 7 and 7.0, are one key: SQLAlchemy's processors give them
    the same value, a Decimal at the column's scale). Not zero: 0.0 and -0.0 are one key, and a
    Decimal prints their signs apart."""
    return bool(value) and converted.__class__ in _IMMUTABLE and value.__class__ in _IMMUTABLE


def _converted(batch: Sequence[Any], kept: list[tuple[int, KeptValues]]) -> list[Row]:
    columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
    for index, converted in kept:
        columns[index] = list(map(converted.__getitem__, columns[index]))  # None passes through
    return list(zip(*columns, strict=True))


def keyed_batches(
    connection: Connection, keyed: KeyedRows, batch_size: int
) -> Generator[Sequence[Row], None, None]:
    """The rows of `keyed`, as `typed_batches` gives those of the joined statement: in the form
    for values, whose dicts stay small (`VALUE_LOOKUP_ROWS`)."""
    keyed = keyed.for_values()
    lookups: list[dict[Any, tuple[Any, ...]]] = []
    for number in range(len(keyed.lookups)):
        rows = connection.execute(keyed.lookup_rows(number))
        lookups.append({row[0]: tuple(row[1:]) for row in rows})
    result = connection.execute(keyed.statement)
    try:
        cursor = result.cursor
        processors = dict(_processors(connection, keyed.statement, cursor.description))
        assemble = _compile_assembler(keyed, len(cursor.description), processors, lookups)
        while batch := cursor.fetchmany(batch_size):
            try:
                yield assemble(batch)
            except KeyError as missing:
                raise outside_the_firm(missing.args[0]) from None
    finally:
        result.close()


def outside_the_firm(key: object) -> RuntimeError:
    """A foreign key that leads outside the firm's rows: the join would have shown another
    firm's name, or dropped the row, or (a nullable lookup's) blanked it. None may happen
    unsaid: only a NULL key gives an empty cell."""
    return RuntimeError(f"A row points to {key!r}, which is not among the firm's rows.")


def _compile_assembler(
    keyed: KeyedRows,
    width: int,
    processors: dict[int, Processor],
    lookups: list[dict[Any, tuple[Any, ...]]],
) -> Callable[[Sequence[Any]], list[Row]]:
    """A function turning a batch of the statement's rows into output rows, generated once per
    export from the cells' positions (no value enters the source)."""
    namespace: dict[str, object] = {}
    cells = []
    for cell in keyed.cells:
        if cell.lookup is not None:
            namespace[f"L{cell.lookup}"] = lookups[cell.lookup]
            cells.append(f"L{cell.lookup}[v{cell.column}][{cell.value}]")
        elif cell.column in processors:
            namespace[f"P{cell.column}"] = conversions(processors[cell.column])
            cells.append(f"P{cell.column}[v{cell.column}]")
        else:
            cells.append(f"v{cell.column}")
    values = ", ".join(f"v{index}" for index in range(width))
    source = f"def assemble(batch):\n    return [({', '.join(cells)},) for {values}, in batch]"
    exec(compile(source, "<keyed rows>", "exec"), namespace)  # noqa: S102
    assemble = namespace["assemble"]
    assert callable(assemble)
    return assemble
