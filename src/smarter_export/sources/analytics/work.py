"""Recorded work as analytics facts: live time entries in the period, on matters the caller sees.

A time entry counts when it, its timekeeper, its matter and its client are all live (so every
grouping adds up to the same firm total), when it is dated in the period, and when its matter is
not confidential or the caller may see confidential matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from smarter_export.domain.tables import client, matter, practice_area, time_entry, timekeeper
from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import group_of
from smarter_export.sources.base import Scope
from smarter_export.sources.common import work_filter_conditions
from smarter_export.sources.sql import live, visible_matter

te = time_entry.alias("te")
tk = timekeeper.alias("tk")
m = matter.alias("m")
c = client.alias("c")
pa = practice_area.alias("pa")

joined = (
    te.join(tk, tk.c.id == te.c.timekeeper_id)
    .join(m, m.c.id == te.c.matter_id)
    .join(c, c.c.id == m.c.client_id)
    .outerjoin(pa, pa.c.id == m.c.practice_area_id)
)


def work_conditions(scope: Scope, filters: AnalyticsFilters) -> list[ColumnElement[bool]]:
    f = filters
    conditions = [
        te.c.tenant_id == scope.tenant_id,
        te.c.date >= f.date_from,
        te.c.date <= f.date_to,
        live(te),
        live(tk),
        live(m),
        live(c),
        visible_matter(m),
    ]
    return conditions + work_filter_conditions(f, te, m)


def work_facts(
    scope: Scope,
    filters: AnalyticsFilters,
    units: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """One row per time entry: its group (the matter's practice area) and the given units."""
    group = group_of(
        filters.dimension, timekeeper=tk, matter=m, client=c, practice_area=pa, day=te.c.date
    )
    conditions = [*work_conditions(scope, filters), *where]
    if filters.practice_area_id:
        conditions.append(m.c.practice_area_id == filters.practice_area_id)
    return select(*group, *units).select_from(joined).where(*conditions)
