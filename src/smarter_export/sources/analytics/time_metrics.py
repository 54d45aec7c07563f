"""The metrics of recorded time: utilization, billable mix, realization.

utilization   billable hours / target hours. A timekeeper's target for the period is
              annual_target_hours x days in the period / 365 (a month's target uses the days of
              that month inside the period). Timekeepers counted: live ones that are active or
              recorded time in the period. Grouping and filtering by practice area use the
              timekeeper's practice area; client and matter filters narrow the hours only.
billable_mix  billable hours / all recorded hours.
realization   billed amount / standard value of the time billed: over time entries with status
              billed, the amount at the rate billed (rate x hours per entry, to the cent) over
              the same hours at the timekeeper's standard rate. A write-down is time billed
              below standard rate; invoice-level discounts and adjustments are not spread over
              entries (they show in collection).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    case,
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
    money,
    percent_column,
    ratio_metric,
)
from smarter_export.sources.analytics.work import joined, te, tk, work_conditions, work_facts
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import amount_cents, live

_ZERO = literal(0, BigInteger())
_billable_minutes = case((te.c.billable_status == "billable", te.c.duration_minutes), else_=0)


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
    tk_area = practice_area.alias("tk_area")
    worked = (
        select(
            *group_of(f.dimension, timekeeper=tk, practice_area=tk_area, day=te.c.date),
            cast(te.c.duration_minutes, BigInteger).label("billable_minutes"),
            _ZERO.label("target_hour_days"),
        )
        .select_from(joined.outerjoin(tk_area, tk_area.c.id == tk.c.practice_area_id))
        .where(*work_conditions(scope, f), te.c.billable_status == "billable")
    )
    if f.timekeeper_id:
        targets = targets.where(person.c.id == f.timekeeper_id)
    if f.practice_area_id:
        targets = targets.where(person.c.practice_area_id == f.practice_area_id)
        worked = worked.where(tk.c.practice_area_id == f.practice_area_id)
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
        [
            cast(_billable_minutes, BigInteger).label("billable_minutes"),
            cast(te.c.duration_minutes, BigInteger).label("recorded_minutes"),
        ],
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


def _realization_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    minutes = te.c.duration_minutes
    return work_facts(
        scope,
        filters,
        [
            cast(amount_cents(te.c.rate, minutes), BigInteger).label("billed_cents"),
            cast(amount_cents(tk.c.rate, minutes), BigInteger).label("standard_cents"),
        ],
        where=[te.c.status == "billed"],
    )


REALIZATION = ratio_metric(
    name="realization",
    title="Realization",
    definition="Realization = billed amount / standard value of the time billed: time entries "
    "with status billed, at the rate billed, over the same hours at the timekeeper's standard "
    "rate (each entry to the cent).",
    facts=_realization_facts,
    numerator=money("billed_cents", "billedAmount", "Billed amount"),
    denominator=money("standard_cents", "standardValue", "Standard value"),
    ratio_column=percent_column("realization", "Realization", "billed amount / standard value"),
)
