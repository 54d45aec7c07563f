"""The metrics of recorded time: utilization, billable mix, realization.

utilization   billable hours / target hours. A timekeeper's target for the period is
              annual_target_hours x days in the period / 365 (a month's target uses the days of
              that month inside the period). Timekeepers counted: live ones that are active or
              recorded time in the period. Grouping and filtering by practice area use the
              timekeeper's practice area; client and matter filters narrow the hours only.
billable_mix  billable hours / all recorded hours.

Realization, which reads invoices as well as time, is in `realization`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    cast,
    exists,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql import FromClause

from smarter_export.domain.tables import practice_area, time_entry, timekeeper
from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import group_of
from smarter_export.sources.analytics.model import (
    Measure,
    hours,
    hours_column,
    percent_column,
    ratio_metric,
)
from smarter_export.sources.analytics.work import work_facts
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import live

_ZERO = literal(0, BigInteger())


def month_days(first: date, last: date) -> list[tuple[str, int]]:
    """("2024-03", days of that month from first to last) for each month the period touches."""
    months: list[tuple[str, int]] = []
    start = first
    while start <= last:
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(following - timedelta(days=1), last)
        months.append((f"{start:%Y-%m}", (end - start).days + 1))
        start = following
    return months


def _periods(filters: AnalyticsFilters) -> FromClause:
    """The period as rows (month, days): one per month when grouped by month, else one."""
    if filters.dimension == "month":
        rows = month_days(filters.date_from, filters.date_to)
    else:
        rows = [("", filters.days)]
    selects = [
        select(literal(month, String()).label("month"), literal(days, Integer()).label("days"))
        for month, days in rows
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("periods")


def _utilization_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    f = filters
    person = timekeeper.alias("person")
    person_area = practice_area.alias("person_area")
    periods = _periods(f)
    recorded = time_entry.alias("recorded")
    has_time = exists().where(
        recorded.c.tenant_id == scope.tenant_id,
        recorded.c.timekeeper_id == person.c.id,
        recorded.c.date >= f.date_from,
        recorded.c.date <= f.date_to,
        live(recorded),
    )
    targets = (
        select(
            *group_of(
                f.dimension,
                timekeeper=person,
                practice_area=person_area,
                month=periods.c.month,
            ),
            _ZERO.label("billable_minutes"),
            cast(person.c.annual_target_hours * periods.c.days, BigInteger).label(
                "target_hour_days"
            ),
        )
        .select_from(
            person.outerjoin(person_area, person_area.c.id == person.c.practice_area_id).join(
                periods, true()
            )
        )
        .where(
            person.c.tenant_id == scope.tenant_id,
            live(person),
            or_(person.c.status == "active", has_time),
        )
    )
    worked = work_facts(
        scope,
        f,
        lambda work: [work.c.billable_minutes, _ZERO.label("target_hour_days")],
        timekeepers_practice_area=True,
    )
    if f.timekeeper_id:
        targets = targets.where(person.c.id == f.timekeeper_id)
    if f.practice_area_id:
        targets = targets.where(person.c.practice_area_id == f.practice_area_id)
    return union_all(targets, worked).subquery("utilization_facts").select()


UTILIZATION = ratio_metric(
    name="utilization",
    title="Utilization",
    definition="Utilization = billable hours / target hours; a timekeeper's target for the "
    "period is annual target hours x days in the period / 365.",
    facts=_utilization_facts,
    numerator=hours("billable_minutes", "billableHours", "Billable hours"),
    denominator=Measure("target_hour_days", hours_column("targetHours", "Target hours"), 365),
    ratio_column=percent_column("utilization", "Utilization", "billable hours / target hours"),
)


def _mix_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    return work_facts(
        scope,
        filters,
        lambda work: [work.c.billable_minutes, work.c.minutes.label("recorded_minutes")],
    )


BILLABLE_MIX = ratio_metric(
    name="billable_mix",
    title="Billable mix",
    definition="Billable mix = billable hours / all recorded hours (billable, non-billable and "
    "no-charge time).",
    facts=_mix_facts,
    numerator=hours("billable_minutes", "billableHours", "Billable hours"),
    denominator=hours("recorded_minutes", "recordedHours", "Recorded hours"),
    ratio_column=percent_column("billableMix", "Billable mix", "billable hours / recorded hours"),
)
