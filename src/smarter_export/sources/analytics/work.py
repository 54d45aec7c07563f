"""Recorded work as analytics facts: live time entries in the period, on matters the caller sees.

A time entry counts when it, its timekeeper, its matter and its client are all live (so every
grouping adds up to the same firm total), when it is dated in the period, and when its matter is
not confidential or the caller may see confidential matters.

The entries are first summed per (timekeeper, matter) (and month, when grouped by month) from
the time_entry table alone, and only those sums are joined to timekeepers, matters and clients:
a million entries cost one pass over one index, not four lookups each. Amounts are kept in
cent-minutes (rate in cents x minutes), exact integers, so nothing is rounded before the figure.
Billed time, read with its invoices, is `realization`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, case, cast, select
from sqlalchemy.sql import Subquery

from smarter_export.domain.tables import client, matter, practice_area, time_entry, timekeeper
from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import group_of
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import cents, integer_sum, live, month_key, visible_matter

te = time_entry.alias("te")
tk = timekeeper.alias("tk")
m = matter.alias("m")
c = client.alias("c")
pa = practice_area.alias("pa")


def _only(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((condition, value), else_=0)


def work_sums(scope: Scope, filters: AnalyticsFilters) -> Subquery:
    """Per (timekeeper, matter[, month]): minutes recorded, and billable."""
    f = filters
    minutes = te.c.duration_minutes
    keys: list[ColumnElement[Any]] = [te.c.timekeeper_id, te.c.matter_id]
    if f.dimension == "month":
        keys.append(month_key(te.c.date).label("month"))
    statement = (
        select(
            *keys,
            integer_sum(minutes).label("minutes"),
            integer_sum(_only(te.c.billable_status == "billable", minutes)).label(
                "billable_minutes"
            ),
        )
        .where(
            te.c.tenant_id == scope.tenant_id,
            te.c.date >= f.date_from,
            te.c.date <= f.date_to,
            live(te),
        )
        .group_by(*keys)
    )
    if f.matter_id:
        statement = statement.where(te.c.matter_id == f.matter_id)
    if f.timekeeper_id:
        statement = statement.where(te.c.timekeeper_id == f.timekeeper_id)
    return statement.subquery("work")


WorkUnits = Callable[[Subquery], Sequence[ColumnElement[Any]]]


def work_facts(
    scope: Scope,
    filters: AnalyticsFilters,
    units: WorkUnits,
    *,
    where: Callable[[Subquery], Sequence[ColumnElement[bool]]] = lambda work: (),
    timekeepers_practice_area: bool = False,
) -> Select[Any]:
    """Rows of (group, units) from the work sums joined to who did it and for whom.

    The practice area is the matter's, or with `timekeepers_practice_area` the timekeeper's.
    """
    f = filters
    work = work_sums(scope, f)
    area_of = tk.c.practice_area_id if timekeepers_practice_area else m.c.practice_area_id
    joined = (
        work.join(tk, tk.c.id == work.c.timekeeper_id)
        .join(m, m.c.id == work.c.matter_id)
        .join(c, c.c.id == m.c.client_id)
        .outerjoin(pa, pa.c.id == area_of)
    )
    month = work.c.month if f.dimension == "month" else None
    group = group_of(f.dimension, timekeeper=tk, matter=m, client=c, practice_area=pa, month=month)
    conditions = [live(tk), live(m), live(c), visible_matter(m), *where(work)]
    if f.client_id:
        conditions.append(m.c.client_id == f.client_id)
    if f.practice_area_id:
        conditions.append(area_of == f.practice_area_id)
    return select(*group, *units(work)).select_from(joined).where(*conditions)


def at_rate(rate: ColumnElement[Any], minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """Minutes at an hourly rate, in cent-minutes (exact)."""
    return cast(cents(rate), BigInteger) * minutes
