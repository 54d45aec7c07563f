"""Money divided exactly: an invoice amount spread over weighted parts in whole cents that add
up to the amount, to the cent.

The rule is cumulative rounding (also called the running-total method): the parts of an invoice
are put in a fixed order (by matter id, then timekeeper id, bytewise on every database), and
part k = round(amount x W_k / W) - round(amount x W_(k-1) / W), where W_k is the running sum of
the weights up to part k and W their total (each rounding half away from zero, in integers). The
parts telescope to round(amount x W / W) = the amount, exactly; each part is its exact share
rounded down or up (it is within one cent of it), like the largest-remainder method's parts,
and unlike it needs no ranking per amount, so every amount of an invoice (total, paid, open) is
split by the same running sums in one pass. Integers stay exact while amount x W is below
2**62 (an invoice of about 20 million in cents over weights of the same size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, String, case, cast, func, literal, select
from sqlalchemy.sql import FromClause

from smarter_export.sources.sql import byte_order, divided


def with_running_sums(
    weights: FromClause,
    partition: ColumnElement[Any],
    order: Sequence[ColumnElement[Any]],
    *,
    weight: str = "weight",
) -> Select[Any]:
    """`weights` with two columns more: `{weight}_total`, the sum of the column `weight` over
    its partition (an invoice), and `{weight}_running`, its sum up to and including the row,
    in `order`."""
    # Text keys (ids, months) in byte order with NULL first on every database; other keys
    # (flags) are never NULL.
    keys = [
        byte_order(func.coalesce(key, literal(""))) if isinstance(key.type, String) else key
        for key in order
    ]
    value = weights.c[weight]
    return select(
        *weights.c,
        cast(func.sum(value).over(partition_by=partition), BigInteger).label(f"{weight}_total"),
        cast(
            func.sum(value).over(partition_by=partition, order_by=keys, rows=(None, 0)),
            BigInteger,
        ).label(f"{weight}_running"),
    )


def part_of(
    amount: ColumnElement[Any],
    weight: ColumnElement[Any],
    running: ColumnElement[Any],
    total: ColumnElement[Any],
) -> ColumnElement[Any]:
    """This part of `amount` (whole cents): the whole amount where there is nothing to divide
    by (`total` NULL: no weighted parts). With `total` larger than the parts' weights, the
    parts are those of a whole whose last, unlisted part is the rest: they add up to the
    amount x their weights / total, rounded once."""
    share = divided(amount * running, total) - divided(amount * (running - weight), total)
    return case((total.is_(None), amount), else_=cast(share, BigInteger))


def split_cents(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` (whole cents) divided over `weights` in Python by the same cumulative rounding:
    part k = round(amount x W_k / W) - round(amount x W_(k-1) / W), half away from zero. The
    parts add up to the amount exactly; weights may be negative (a discount line), their total
    may not be zero."""
    total = sum(weights)
    if total == 0:
        raise ValueError("cannot divide an amount over weights that add up to zero")
    parts: list[int] = []
    before = running = 0
    for weight in weights:
        running += weight
        now = _rounded_quotient(amount * running, total)
        parts.append(now - before)
        before = now
    return parts


def _rounded_quotient(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers."""
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    quotient += 2 * remainder >= abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient
