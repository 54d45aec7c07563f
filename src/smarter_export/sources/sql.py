"""SQL pieces shared by the sources, written once for every dialect (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

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


class month_key(FunctionElement[str]):
    """A date's calendar month as text, "2024-03": the month bucket of analytics."""

    type = String()
    inherit_cache = True


@compiles(month_key, "sqlite")
def _month_key_sqlite(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(day, **kw)})"


@compiles(month_key)
def _month_key_default(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"to_char({compiler.process(day, **kw)}, 'YYYY-MM')"


class byte_order(FunctionElement[str]):
    """Text compared byte by byte, the same on every database and locale (PostgreSQL's default
    collation may order punctuation and case otherwise; SQLite's BINARY already does this)."""

    type = String()
    inherit_cache = True


@compiles(byte_order, "sqlite")
def _byte_order_sqlite(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return compiler.process(value, **kw)


@compiles(byte_order)
def _byte_order_default(element: byte_order, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f'({compiler.process(value, **kw)} COLLATE "C")'


def _cents(expr: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(func.round(expr * 100), Integer)


def cents(money: ColumnElement[Any]) -> ColumnElement[int]:
    """A money column as whole cents (an integer), for exact sums and ratios."""
    return _cents(money)


def integer_sum(expr: ColumnElement[Any]) -> ColumnElement[int]:
    """SUM of integers, 0 over no rows, and an integer on PostgreSQL too (it widens to numeric)."""
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


Whole = ColumnElement[Any] | int


def _whole(value: Whole) -> ColumnElement[Any]:
    return literal(value, BigInteger()) if isinstance(value, int) else cast(value, BigInteger)


def divided(numerator: Whole, denominator: Whole) -> ColumnElement[Any]:
    """numerator / denominator of two integers, rounded half away from zero to an integer.

    Integer division truncates toward zero on SQLite and PostgreSQL alike, so the rounding is
    done on absolute values and the sign put back. NULL when the denominator is zero.
    """
    n, d = _whole(numerator), _whole(denominator)
    negative = or_(and_(n < 0, d > 0), and_(n > 0, d < 0))
    magnitude = (func.abs(n) * 2 + func.abs(d)) // (func.abs(d) * 2)
    return case((d == 0, null()), (negative, -magnitude), else_=magnitude)


def decimal_ratio(numerator: Whole, denominator: Whole, places: int) -> ColumnElement[Any]:
    """numerator / denominator of two integers as a Decimal of `places` places, half up, exact.

    NULL (an empty cell) when the denominator is zero: never an error or an infinity.
    """
    scaled = divided(_whole(numerator) * 10**places, denominator)
    return whole_units(scaled, places, Numeric(18, places))


class whole_units(FunctionElement[Any]):
    """A Decimal of `places` places made of whole units of its last place (cents, hundredths of
    an hour): `units` / 10^places, written `round(units / 10^places.0, places)` on every
    dialect. Kept apart from the division so that a CSV of it can print the integer itself
    (`jobs/csv_sql.py`), exactly, without formatting the double SQLite divides into."""

    inherit_cache = True

    def __init__(self, units: ColumnElement[Any], places: int, sql_type: Numeric[Any]) -> None:
        divided_sql = func.round(units / literal_column(f"{10**places}.0"), places)
        super().__init__(divided_sql, units)
        self.type = sql_type
        self.places = places

    @property
    def units(self) -> ColumnElement[Any]:
        _divided, units = list(self.clauses)
        return units


@compiles(whole_units)
def _whole_units(element: whole_units, compiler: SQLCompiler, **kw: Any) -> str:
    divided_sql, _units = list(element.clauses)
    return compiler.process(divided_sql, **kw)


def money_from_cents(cents: ColumnElement[Any]) -> ColumnElement[Any]:
    """Whole cents back to a two-place Decimal, exactly, on every dialect."""
    return whole_units(cents, 2, Money())


def hours(minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """Minutes as hours to two places, rounded half up (exact: integer arithmetic)."""
    return whole_units((minutes * 200 + 60) // 120, 2, Hours())


def amount_cents(rate: ColumnElement[Any], minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """rate x minutes / 60 in whole cents, rounded half up, so no float creeps in."""
    return (_cents(rate) * minutes * 2 + 60) // 120


def amount(rate: ColumnElement[Any], minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """rate x minutes / 60 to the cent, rounded half up, in integer cents so no float creeps in."""
    return money_from_cents(amount_cents(rate, minutes))


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
