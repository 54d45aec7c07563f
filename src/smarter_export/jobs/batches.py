"""Rows of a statement, a batch at a time, typed as SQLAlchemy types them, without Row objects.

On SQLite every value goes through Python anyway (dates are text, decimals are floats), and
SQLAlchemy's Row objects and per-row processing cost more than the values: here the DB-API
cursor's batches are converted a column at a time with SQLAlchemy's own result processors, so
the values are exactly those SQLAlchemy would give, for a fraction of the work. Other databases
stream through SQLAlchemy's server-side cursor as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select

from smarter_export.tabular import Row

Processor = Callable[[Any], Any]


def typed_batches(
    connection: Connection, statement: Select[Any], batch_size: int
) -> Iterator[Sequence[Row]]:
    if connection.dialect.name != "sqlite":
        streamed = connection.execution_options(stream_results=True, yield_per=batch_size)
        yield from streamed.execute(statement).partitions()
        return
    result = connection.execute(statement)
    try:
        # The sqlite3 cursor steps through the statement as rows are fetched: nothing is buffered.
        cursor = result.cursor
        processors = _processors(connection, statement, cursor.description)
        while batch := cursor.fetchmany(batch_size):
            yield _converted(batch, processors) if processors else batch
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


def _converted(batch: Sequence[Any], processors: list[tuple[int, Processor]]) -> list[Row]:
    columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
    for index, processor in processors:
        columns[index] = list(map(processor, columns[index]))  # processors pass None through
    return list(zip(*columns, strict=True))
