"""Rows read from their own table alone, with the names they point to joined in Python by key.

A time entry's row names its timekeeper, matter, client and invoice. In SQL that is four joins
per row through text UUID keys, and on SQLite those joins cost more than the rest of the export
(the `sqlite3` shell needs 7 s for a million joined rows against 2 s for the bare table). The
small tables of one firm (its timekeepers, its matters with their clients) fit in memory many
times over, so they are read once into dicts and each row looks its names up by key.

A table that grows with the firm's years (its invoices) is a **bounded** lookup: its rows are
counted first (one COUNT in the export's read snapshot), and it is read into a dict only up to
`LOOKUP_ROWS` rows; above that, or where the order needs it, the main statement joins it as the
joined statement does. A **nullable** lookup is a LEFT JOIN's table: a NULL key gives the values
a join that finds nothing gives (its dict holds the NULL key, computed by the database); any
other key must be the firm's, or the export fails (`outside_the_firm`).

A reader of **values** (`jobs/batches.py`: Parquet, Excel, JSON Lines, PDF) holds its dicts as
Python objects beside its writer's own buffers, and has a lower bound, `VALUE_LOOKUP_ROWS`: the
KeyedRows carries that form too (`for_values`) where it joins a lookup the CSV's form keeps.

A source offers `KeyedRows` where it can (`DataSource.keyed_rows`); the joined statement stays
the reference, and the fidelity tests hold the two to the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    FromClause,
    Select,
    false,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.sql.util import find_tables

# The most rows a bounded lookup is read into a dict with; above, the main statement joins it.
# Measured (tracemalloc, the 63,821 invoices of the demo firm at 1M time entries, their number
# by id): 280 bytes a row as values (`jobs/batches.py`), 235 as CSV fragments (`csv_lines.py`).
# 100,000 rows are about 28 MB, beside an export's ~125 MB peak (the 150 MB target); the demo
# firm reaches it at about 1.6 million time entries.
LOOKUP_ROWS = 100_000
# The most rows a bounded lookup is read into a dict of values with (`KeyedRows.for_values`):
# 280 bytes a row held all through an export whose writer holds its own (Parquet: a row group,
# pyarrow's libraries). Measured on the demo firm at 1M time entries (README, Benchmarks): its
# 63,821 invoices in a dict were 19 MB of the Parquet export's 152 MB peak; joined by the
# statement instead, 133 MB, for 0.7 s more CPU (SQLite's searches in the invoice table) while
# rows were read in the date index's order, none measured since they are read in storage order
# (`read_order.py`). 20,000 rows (~6 MB) keep a writer's peak flat as a firm's invoices grow.
VALUE_LOOKUP_ROWS = 20_000

Counter = Callable[[Select[Any]], int]  # the one row of a COUNT statement, in the read snapshot


@dataclass(frozen=True)
class Lookup:
    """A table of the firm, by key: what the main rows point to through one column."""

    key: ColumnElement[Any]  # the main table's column holding the key: time_entry.timekeeper_id
    rows: Select[Any]  # the key, then nothing yet: `KeyedRows` adds the values it needs
    tables: frozenset[FromClause]  # the tables (aliases) of the rows: a column of one of these
    nullable: bool = False  # the key may be NULL: the joined statement LEFT JOINs the table
    # Bounded: the join (on the main table) that reads it instead when it is too large for a dict.
    joined_on: ColumnElement[bool] | None = None

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
    nullable: tuple[bool, ...]  # per lookup: whether its key may be NULL (`with_null_key`)
    joined: tuple[str, ...]  # the bounded lookups' tables the statement joins instead
    joins: tuple[tuple[str, FromClause], ...] = ()  # (the lookup's key, its join) per join
    # The same rows for a reader of values where `VALUE_LOOKUP_ROWS` joins more lookups than
    # this form does; None where it would be this very form.
    values: KeyedRows | None = None

    def for_values(self) -> KeyedRows:
        """The form a reader of values (not CSV text) reads: see `VALUE_LOOKUP_ROWS`. Its
        statement is made of this form's as it is now (cut, or read in another order: see
        `reading`), with the joins only it has and its own columns."""
        if self.values is None:
            return self
        have = {key for key, _ in self.joins}
        joins = [join for key, join in self.values.joins if key not in have]
        columns = self.values.statement.selected_columns
        return replace(
            self.values, statement=self.statement.select_from(*joins).with_only_columns(*columns)
        )

    def lookup_rows(
        self, number: int, *values: ColumnElement[Any]
    ) -> Select[Any] | CompoundSelect[Any]:
        """What the dict of lookup `number` is read from: the key, then its values (or
        `values` computed from them: CSV text)."""
        rows = self.lookups[number]
        if values:
            rows = rows.with_only_columns(
                rows.selected_columns[0], *values, maintain_column_froms=True
            )
        return with_null_key(rows) if self.nullable[number] else rows

    def count_statement(self) -> Select[Any]:
        return self.statement.with_only_columns(func.count()).order_by(None).limit(None)

    def limited(self, rows: int) -> KeyedRows:
        return self.reading(self.statement.limit(rows))

    def reading(self, statement: Select[Any]) -> KeyedRows:
        """The same rows read by `statement` (the same rows, cut or planned otherwise)."""
        return replace(self, statement=statement)


def keyed_rows(
    chosen: Sequence[ColumnElement[Any]],
    main_rows: Select[Any],
    main_tables: frozenset[FromClause],
    lookups: Sequence[Lookup],
    order: Sequence[ColumnElement[Any]],
    *,
    count: Counter,
    most_rows: int | None = None,
    bound: int | None = None,
) -> KeyedRows | None:
    """The chosen columns as main-table columns and lookups, or None if one is neither (or the
    order needs a lookup that cannot be joined: sorting is the database's job). A bounded lookup
    is joined where the order needs it, or where a column needs it and it holds more than
    `LOOKUP_ROWS` rows, or more than the `most_rows` the export reads (counted only then): a
    dict costs a read of every row of the lookup, the join a search per row read, so a PDF of
    50,000 rows, or a narrow filter, joins a firm's 60,000 invoices rather than hold them.
    Without a `bound`, the form for values (`VALUE_LOOKUP_ROWS`) is made too, each lookup
    counted once; with one, only the form of that bound."""
    if bound is None:
        form = partial(
            keyed_rows, chosen, main_rows, main_tables, lookups, order, most_rows=most_rows
        )
        count = _counted_once(count)
        csv_form, values_form = (
            form(count=count, bound=LOOKUP_ROWS),
            form(count=count, bound=VALUE_LOOKUP_ROWS),
        )
        if csv_form is None or values_form is None or values_form.joined == csv_form.joined:
            return csv_form
        return replace(csv_form, values=values_form)
    bound = min(LOOKUP_ROWS, bound, bound if most_rows is None else most_rows)
    joined: list[str] = []
    joins: list[tuple[str, FromClause]] = []
    for lookup in lookups:
        if lookup.joined_on is None:
            continue
        ordered = any(lookup.holds(key) for key in order)
        if ordered or (any(map(lookup.holds, chosen)) and _too_large(lookup, count, bound)):
            (main_table,), (table,) = _tables_of(lookup.key), lookup.rows.get_final_froms()
            # A FROM of its own (not `Select.join`), so that a statement made of this one by
            # `with_only_columns(..., maintain_column_froms=True)` still finds its left side.
            join = main_table.join(table, lookup.joined_on, isouter=lookup.nullable)
            main_rows = main_rows.select_from(join)
            joins.append((str(lookup.key), join))
            main_tables |= lookup.tables
            joined.extend(sorted(t.description for t in lookup.tables))
    lookups = [lookup for lookup in lookups if not lookup.tables <= main_tables]
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
        nullable=tuple(lookups[n].nullable for n in used),
        joined=tuple(joined),
        joins=tuple(joins),
    )


def with_null_key(rows: Select[Any]) -> CompoundSelect[Any]:
    """A nullable lookup's rows (a key, then values), and the row of the NULL key: its values as
    the database computes them over a LEFT JOIN that finds nothing (NULL, or what an expression
    makes of NULL), so that a dict of them gives what the joined statement gives."""
    _key, *values = rows.selected_columns
    (table,) = rows.get_final_froms()
    one_row = select(literal(1).label("one")).subquery("no_match")
    nothing = select(null(), *values).select_from(one_row.outerjoin(table, false()))
    return rows.union_all(nothing)


def _too_large(lookup: Lookup, count: Counter, bound: int) -> bool:
    rows = count(lookup.rows.with_only_columns(func.count(), maintain_column_froms=True))
    return rows > bound


def _counted_once(count: Counter) -> Counter:
    """`count`, asked once per statement (its SQL and parameters): both forms ask the same."""
    counted: dict[str, int] = {}

    def once(statement: Select[Any]) -> int:
        compiled = statement.compile()
        key = f"{compiled}|{sorted(compiled.params.items())!r}"
        if key not in counted:
            counted[key] = count(statement)
        return counted[key]

    return once


def _tables_of(expression: ColumnElement[Any]) -> frozenset[FromClause]:
    found = find_tables(expression, check_columns=True, include_aliases=True)
    return frozenset(table for table in found if table is not None)
