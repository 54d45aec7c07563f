"""Invoice money spread over what it billed, so invoice metrics group like time metrics do.

An invoice belongs to one client, but its lines bill several matters (and so practice areas).
Each invoice amount (total, paid, open) is split over the invoice's lines by matter in
proportion to the lines' amounts: share = amount x matter's lines / all lines, in whole cents,
rounded half away from zero, once per (invoice, matter). Every grouping sums the same shares, so
the firm total is the same whichever way the rows are grouped. Shares on confidential matters
are left out unless the caller may see them, as the invoices source leaves out their lines.
An invoice whose lines add up to nothing (or that has none) is one share on no matter.

Collections are credited to timekeepers the same way, through the billed time entries on the
invoice (by their amounts) instead of its lines: invoices without billed time are credited to
no timekeeper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.sql import FromClause, Subquery

from smarter_export.domain.tables import (
    client,
    invoice,
    invoice_line_item,
    matter,
    payment,
    practice_area,
    time_entry,
    timekeeper,
)
from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import group_of
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import (
    amount_cents,
    cents,
    days_between,
    divided,
    integer_sum,
    live,
    visible_matter,
)

BILLED_STATUSES = ("sent", "paid", "partially_paid", "written_off")
# Written-off invoices carry no date of the write-off, so their balance on a past day is
# unknown: aging leaves them out rather than guessing.
AGED_STATUSES = ("sent", "paid", "partially_paid")

inv = invoice.alias("inv")
c = client.alias("ic")
m = matter.alias("im")
pa = practice_area.alias("ipa")
tk = timekeeper.alias("itk")


def paid_by(scope: Scope, filters: AnalyticsFilters) -> Subquery:
    """Per invoice: cents of live payments dated on or before the period's last day."""
    pay = payment.alias("pay")
    return (
        select(pay.c.invoice_id, integer_sum(cents(pay.c.amount)).label("paid_cents"))
        .where(
            pay.c.tenant_id == scope.tenant_id,
            live(pay),
            pay.c.payment_date <= filters.date_to,
        )
        .group_by(pay.c.invoice_id)
        .subquery("paid")
    )


@dataclass(frozen=True)
class ChosenInvoices:
    """Live invoices of live clients issued in the period, with what was paid by its end."""

    from_clause: FromClause
    conditions: tuple[ColumnElement[bool], ...]
    total_cents: ColumnElement[Any]
    paid_cents: ColumnElement[Any]


def chosen_invoices(
    scope: Scope, filters: AnalyticsFilters, statuses: tuple[str, ...]
) -> ChosenInvoices:
    paid = paid_by(scope, filters)
    conditions = [
        inv.c.tenant_id == scope.tenant_id,
        live(inv),
        live(c),
        inv.c.status.in_(statuses),
        inv.c.issue_date >= filters.date_from,
        inv.c.issue_date <= filters.date_to,
    ]
    if filters.client_id:
        conditions.append(inv.c.client_id == filters.client_id)
    return ChosenInvoices(
        from_clause=inv.join(c, c.c.id == inv.c.client_id).outerjoin(
            paid, paid.c.invoice_id == inv.c.id
        ),
        conditions=tuple(conditions),
        total_cents=cast(cents(inv.c.total), BigInteger),
        paid_cents=cast(func.coalesce(paid.c.paid_cents, 0), BigInteger),
    )


def _line_weights(scope: Scope) -> Select[Any]:
    li = invoice_line_item.alias("li")
    return (
        select(
            li.c.invoice_id,
            li.c.matter_id,
            null().label("timekeeper_id"),
            integer_sum(cents(li.c.amount)).label("weight"),
        )
        .where(li.c.tenant_id == scope.tenant_id, live(li))
        .group_by(li.c.invoice_id, li.c.matter_id)
    )


def _time_weights(scope: Scope) -> Select[Any]:
    billed = time_entry.alias("billed")
    return (
        select(
            billed.c.invoice_id,
            billed.c.matter_id,
            billed.c.timekeeper_id,
            integer_sum(amount_cents(billed.c.rate, billed.c.duration_minutes)).label("weight"),
        )
        .where(
            billed.c.tenant_id == scope.tenant_id,
            live(billed),
            billed.c.status == "billed",
            billed.c.invoice_id.is_not(None),
        )
        .group_by(billed.c.invoice_id, billed.c.matter_id, billed.c.timekeeper_id)
    )


class Shares:
    """The shares of chosen invoices, ready to be grouped: `split` an invoice amount over them."""

    def __init__(
        self, scope: Scope, filters: AnalyticsFilters, invoices: ChosenInvoices, by_time: bool
    ) -> None:
        # A CTE: read for the weights and for their totals, computed once.
        weights = (_time_weights(scope) if by_time else _line_weights(scope)).cte("w")
        totals = (
            select(weights.c.invoice_id, integer_sum(weights.c.weight).label("weight_total"))
            .group_by(weights.c.invoice_id)
            .subquery("wt")
        )
        self._weight = case((weights.c.weight.is_(None), 1), else_=weights.c.weight)
        self._total = case((weights.c.weight.is_(None), 1), else_=totals.c.weight_total)
        self.from_clause: FromClause = (
            invoices.from_clause.outerjoin(totals, totals.c.invoice_id == inv.c.id)
            .outerjoin(
                weights,
                and_(weights.c.invoice_id == inv.c.id, totals.c.weight_total != 0),
            )
            .outerjoin(m, m.c.id == weights.c.matter_id)
            .outerjoin(pa, pa.c.id == m.c.practice_area_id)
            .outerjoin(tk, tk.c.id == weights.c.timekeeper_id)
        )
        f = filters
        self.conditions: list[ColumnElement[bool]] = [
            *invoices.conditions,
            or_(weights.c.matter_id.is_(None), and_(live(m), visible_matter(m))),
            or_(weights.c.timekeeper_id.is_(None), live(tk)),
        ]
        if f.matter_id:
            self.conditions.append(weights.c.matter_id == f.matter_id)
        if f.practice_area_id:
            self.conditions.append(m.c.practice_area_id == f.practice_area_id)
        if f.timekeeper_id:
            self.conditions.append(weights.c.timekeeper_id == f.timekeeper_id)
        self.group = group_of(
            f.dimension, timekeeper=tk, matter=m, client=c, practice_area=pa, day=inv.c.issue_date
        )

    def split(self, amount_cents: ColumnElement[Any]) -> ColumnElement[Any]:
        """This share of an invoice amount, in whole cents."""
        return cast(divided(amount_cents * self._weight, self._total), BigInteger)

    def facts(
        self, units: Sequence[ColumnElement[Any]], where: Sequence[ColumnElement[bool]] = ()
    ) -> Select[Any]:
        """One row per share: its group and the given units."""
        return (
            select(*self.group, *units)
            .select_from(self.from_clause)
            .where(*self.conditions, *where)
        )


def days_past_due(filters: AnalyticsFilters) -> ColumnElement[Any]:
    """Days from the due date to the period's last day (0 or less: not yet due)."""
    return days_between(literal(filters.date_to, Date()), inv.c.due_date)
