"""A table's rows cut into consecutive ranges of its leading order key, to be read at once.

SQLite steps one statement on one core. The same statement, cut by its first ORDER BY column
into ranges read on several connections (`fan_in.py`), is read on several cores; written one
range after the other, in order, the ranges are the statement's rows, each exactly once.

A statement is cut only where the ranges are cheap and provably whole:

- its first ORDER BY expression is a plain column of a table (ascending or descending, no
  NULLS FIRST/LAST), and the statement's WHERE holds `tenant_id = ?` on that table, which has
  an index whose first columns are (tenant_id, that column): each range is then a seek in the
  index, in the order the statement walks anyway;
- the bounds are values read from that column as stored, and compared with the column itself,
  as the ORDER BY compares (SQLite: NULL < numbers < text < blob, the column's collation and
  affinity on both sides), so a value of any kind, an integer or a malformed date among dates,
  falls in exactly one range: the NULLs have a range of their own, the first range has no lower
  bound and the last no upper one;
- each row is made of its own table rows alone: no GROUP BY, DISTINCT, window or OFFSET (a
  LIMIT is the caller's to check: it must not cut, `csv_lines.table_ranges`).

The bounds come from an index-only count of the rows per key value (50 ms for a million rows
of one firm): the conditions the index can answer alone (the firm, a date range) narrow it,
the rest (soft deletes, matters one may see) do not, so ranges hold roughly, not exactly,
equal rows. What is cut evenly is only speed; what the ranges hold is exact whatever the count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Alias,
    BindParameter,
    Column,
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList, Over, UnaryExpression
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import iterate

TENANT = "tenant_id"  # the firm's column, first in every index a firm's rows are read by


@dataclass(frozen=True)
class KeyRange:
    """The rows whose key is NULL (`nulls`), or at least `low` and below `high` (None: no
    bound on that side). `rows` is the planned count, for sizing only."""

    low: Any = None
    high: Any = None
    nulls: bool = False
    rows: int = 0


@dataclass(frozen=True)
class OrderKey:
    """The column a statement is ordered by first, and the conditions an index on
    (tenant_id, column) answers alone."""

    column: ColumnElement[Any]
    descending: bool
    indexed: tuple[ColumnElement[bool], ...]  # the firm's condition among them


def order_key(statement: Select[Any]) -> OrderKey | None:
    """The statement's leading order key, if ranges of it can be read by index (see above)."""
    clauses = statement._order_by_clauses
    if not clauses or not _row_by_row(statement):
        return None
    first, descending = clauses[0], False
    if isinstance(first, UnaryExpression):
        if first.modifier not in (operators.asc_op, operators.desc_op):
            return None  # NULLS FIRST/LAST, or another modifier: not the default placement
        descending = first.modifier is operators.desc_op
        first = first.element
    if not isinstance(first, Column) or not _indexed(first):
        return None
    table = first.table
    conditions = list(_conjuncts(statement.whereclause))
    if not any(_is_tenant_condition(condition, table) for condition in conditions):
        return None
    allowed = {table.c[TENANT], first}
    indexed = tuple(c for c in conditions if _columns_of(c) and _columns_of(c) <= allowed)
    return OrderKey(first, descending, indexed)


def key_ranges(connection: Connection, key: OrderKey, pieces: int) -> list[KeyRange]:
    """Ranges of the key in the statement's order, about `pieces` of them holding about as many
    rows each (a value is never split: one day holding most rows is one range); the NULLs' range
    first (last when descending), when there are any."""
    counted = (
        select(key.column, func.count())
        .where(*key.indexed)
        .group_by(key.column)
        .order_by(key.column)
    )
    result = connection.execute(counted)
    try:  # the DB-API's values, as stored: no type's processing (a malformed date stays text)
        counts: list[tuple[Any, int]] = list(result.cursor.fetchall())
    finally:
        result.close()
    nulls = sum(count for value, count in counts if value is None)
    values = [(value, count) for value, count in counts if value is not None]
    ranges = [KeyRange(nulls=True, rows=nulls)] if nulls else []
    ranges += _ranges(values, pieces)
    return ranges[::-1] if key.descending else ranges


def within(statement: Select[Any], key: OrderKey, chunk: KeyRange) -> Select[Any]:
    """The statement's rows in one range, in the statement's order."""
    if chunk.nulls:
        return statement.where(key.column.is_(None))
    # The column with no type, so that a bound is handed to the driver as read (a Date's
    # processing would refuse text): it compares with the column as the stored value does.
    column = type_coerce(key.column, NullType())
    bounds = []
    if chunk.low is not None:
        bounds.append(column >= _stored(chunk.low))
    if chunk.high is not None:
        bounds.append(column < _stored(chunk.high))
    if not bounds:  # one range holds every value: only the NULLs are elsewhere
        bounds.append(column.is_not(None))
    return statement.where(and_(*bounds))


def _ranges(values: Sequence[tuple[Any, int]], pieces: int) -> list[KeyRange]:
    """Consecutive ranges over the values, in order, about `pieces` of them."""
    if not values:
        return []
    total = sum(count for _, count in values)
    target = max(1.0, total / max(1, pieces))  # the rows a range should hold
    bounds: list[tuple[Any, int]] = []  # (a range's first value, the rows before it)
    held = start = 0  # rows before this value; rows before the current range
    for value, count in values:
        # A value opens a range when the current one holds its share, or when the value alone
        # holds a share (a day holding most rows is a range of its own); what is left is then
        # shared anew among the ranges still to make.
        if held > start and (held - start >= target or count >= target):
            bounds.append((value, held))
            start = held
            target = max(1.0, (total - held) / max(1, pieces - len(bounds)))
        held += count
    starts = [None, *(value for value, _ in bounds)]
    ends = [*(value for value, _ in bounds), None]
    befores = [0, *(rows for _, rows in bounds), total]
    return [
        KeyRange(low, high, rows=befores[n + 1] - befores[n])
        for n, (low, high) in enumerate(zip(starts, ends, strict=True))
    ]


def _row_by_row(statement: Select[Any]) -> bool:
    """Each row of the statement is made of its own table rows alone, so that a range's rows
    are the rows it would give anyway: no grouping, DISTINCT, window (a running total would
    restart in each range) or OFFSET (each range would skip its own)."""
    if statement._group_by_clauses or statement._having_criteria or statement._distinct:
        return False
    if statement._offset_clause is not None:
        return False
    return not any(
        isinstance(element, Over)
        for column in statement.selected_columns
        for element in iterate(column)
    )


def _stored(value: Any) -> BindParameter[Any]:
    return literal(value, type_=NullType())


def _indexed(column: Column[Any]) -> bool:
    """An index of the column's table starts (tenant_id, column)."""
    table = column.table
    base = table.element if isinstance(table, Alias) else table
    if not isinstance(base, Table) or TENANT not in base.c:
        return False
    wanted = [TENANT, column.name]
    return any([c.name for c in index.columns][:2] == wanted for index in base.indexes)


def _conjuncts(clause: ColumnElement[Any] | None) -> Iterator[ColumnElement[Any]]:
    """The terms ANDed together at the top of a WHERE."""
    if clause is None:
        return
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for term in clause.clauses:
            yield from _conjuncts(term)
    else:
        yield clause


def _is_tenant_condition(condition: ColumnElement[Any], table: Any) -> bool:
    return (
        isinstance(condition, BinaryExpression)
        and condition.operator is operators.eq
        and condition.left is table.c[TENANT]
        and isinstance(condition.right, BindParameter)
    )


def _columns_of(condition: ColumnElement[Any]) -> frozenset[ColumnElement[Any]]:
    """The columns a condition reads; a subquery's make it unusable (an empty set is too)."""
    found = set()
    for element in iterate(condition):
        if isinstance(element, Select):
            return frozenset()
        if isinstance(element, Column):
            found.add(element)
    return frozenset(found)
