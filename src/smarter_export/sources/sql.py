"""SQL pieces shared by the sources, written once for every dialect (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement, type_coerce

from smarter_export.domain.types import Hours, Money


class days_between(FunctionElement[int]):
    """Whole days from the second date to the first (later - earlier)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)})"
        f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later_sql, earlier_sql = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({later_sql} AS DATE) - CAST({earlier_sql} AS DATE))"


class text_list(FunctionElement[str]):
    """The values of a group joined by a separator, in the order of the rows (sorted on PG)."""

    type = String()
    inherit_cache = True


@compiles(text_list, "sqlite")
def _text_list_sqlite(element: text_list, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator = list(element.clauses)
    return f"group_concat({compiler.process(value, **kw)}, {compiler.process(separator, **kw)})"


@compiles(text_list)
def _text_list_default(element: text_list, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator = (compiler.process(c, **kw) for c in element.clauses)
    return f"string_agg({value}, {separator} ORDER BY {value})"


def _cents(expr: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.round(expr * 100), Integer)


def money_from_cents(cents: ColumnElement[Any]) -> ColumnElement[Any]:
    """Whole cents back to a two-place Decimal, exactly, on every dialect."""
    return type_coerce(func.round(cents / literal_column("100.0"), 2), Money())


def hours(minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """Minutes as hours to two places, rounded half up (exact: integer arithmetic)."""
    hundredths = (minutes * 200 + 60) // 120
    return type_coerce(func.round(hundredths / literal_column("100.0"), 2), Hours())


def amount(rate: ColumnElement[Any], minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """rate x minutes / 60 to the cent, rounded half up, in integer cents so no float creeps in."""
    return money_from_cents((_cents(rate) * minutes * 2 + 60) // 120)


def money_sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """A sum of money, exact: summed as integer cents."""
    return money_from_cents(func.coalesce(func.sum(_cents(expr)), 0))


def live(table: FromClause) -> ColumnElement[bool]:
    """Not soft-deleted."""
    return table.c.is_deleted.is_(False)


INCLUDE_CONFIDENTIAL = "include_confidential"


def visible_matter(matter_table: FromClause) -> ColumnElement[bool]:
    """A matter the caller may see: not confidential, or the caller may see confidential ones.

    The permission is a bound parameter set once per statement (`DataSource.statement`), so
    column expressions declared without a scope still respect it.
    """
    return or_(
        matter_table.c.is_confidential.is_(False),
        bindparam(INCLUDE_CONFIDENTIAL, type_=Boolean()) == true(),
    )
