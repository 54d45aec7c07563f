"""Rows read from their own table alone, with the names they point to joined in Python by key.

A time entry's row names its timekeeper, matter, client and invoice. In SQL that is four joins
per row through text UUID keys, and on SQLite those joins cost more than the rest of the export
(the `sqlite3` shell needs 7 s for a million joined rows against 2 s for the bare table). The
small tables of one firm (its timekeepers, its matters with their clients) fit in memory many
times over, so they are read once into dicts and each row looks its names up by key. A table
that grows with the rows (invoices, with years of billing) stays a join of the main statement.

A source offers `KeyedRows` where it can (`DataSource.keyed_rows`); the joined statement stays
the reference, and the fidelity tests hold the two to the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, func
from sqlalchemy.sql.util import find_tables


@dataclass(frozen=True)
class Lookup:
    """A small table of the firm, by key: what the main rows point to through one column, never
    null (an inner join: a LEFT JOIN's table stays in the main statement)."""

    key: ColumnElement[Any]  # the main table's column holding the key: time_entry.timekeeper_id
    rows: Select[Any]  # the key, then nothing yet: `KeyedRows` adds the values it needs
    tables: frozenset[FromClause]  # the tables (aliases) of the rows: a column of one of these

    def holds(self, expression: ColumnElement[Any]) -> bool:
        return bool(_tables_of(expression)) and _tables_of(expression) <= self.tables


@dataclass(frozen=True)
class Cell:
    """Where one column of the output row comes from."""

    column: int  # the statement's column: the value itself, or the key of a lookup
    lookup: int | None = None  # which lookup the key is looked up in
    value: int = 0  # which of the lookup's values


@dataclass(frozen=True)
class KeyedRows:
    statement: Select[Any]  # the main table's values and the lookups' keys: filtered, in order
    lookups: tuple[Select[Any], ...]  # per lookup: the key, then the values the cells use
    cells: tuple[Cell, ...]

    def count_statement(self) -> Select[Any]:
        return self.statement.with_only_columns(func.count()).order_by(None).limit(None)

    def limited(self, rows: int) -> KeyedRows:
        return replace(self, statement=self.statement.limit(rows))


def keyed_rows(
    chosen: Sequence[ColumnElement[Any]],
    main_rows: Select[Any],
    main_tables: frozenset[FromClause],
    lookups: Sequence[Lookup],
    order: Sequence[ColumnElement[Any]],
) -> KeyedRows | None:
    """The chosen columns as main-table columns and lookups, or None if one is neither (or the
    order needs a lookup: sorting is the database's job)."""
    if not all(_tables_of(key) and _tables_of(key) <= main_tables for key in order):
        return None
    selected: list[ColumnElement[Any]] = []
    values: list[list[ColumnElement[Any]]] = [[] for _ in lookups]
    cells: list[Cell] = []
    keys: dict[int, int] = {}  # lookup -> the statement's column holding its key
    for expression in chosen:
        if _tables_of(expression) <= main_tables:
            cells.append(Cell(len(selected)))
            selected.append(expression)
            continue
        number = next((n for n, lookup in enumerate(lookups) if lookup.holds(expression)), None)
        if number is None:
            return None
        if number not in keys:
            keys[number] = len(selected)
            selected.append(lookups[number].key)
        cells.append(Cell(keys[number], number, len(values[number])))
        values[number].append(expression)
    used = sorted(keys)  # only the lookups some column needs are read
    renumbered = {number: index for index, number in enumerate(used)}
    return KeyedRows(
        statement=main_rows.with_only_columns(*selected).order_by(*order),
        lookups=tuple(lookups[n].rows.add_columns(*values[n]) for n in used),
        cells=tuple(
            cell if cell.lookup is None else replace(cell, lookup=renumbered[cell.lookup])
            for cell in cells
        ),
    )


def _tables_of(expression: ColumnElement[Any]) -> frozenset[FromClause]:
    found = find_tables(expression, check_columns=True, include_aliases=True)
    return frozenset(table for table in found if table is not None)
