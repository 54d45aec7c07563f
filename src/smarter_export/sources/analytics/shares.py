"""Invoice money as analytics facts: whole invoices where the grouping allows, exact parts where
it must divide.

An invoice belongs to one client and is issued on one day, so grouped by client, by month (of
issue) or for the firm, an invoice amount (total, paid, open) counts whole, as the ledger has
it: no division, no rounding. Its lines bill several matters (and so practice areas), so grouped
by matter or practice area, or narrowed by one, each amount is divided over the invoice's
matters in proportion to their lines' amounts, in whole cents that add up to the amount exactly
(`allocation`). Collections are credited to timekeepers the same way, through the billed time
entries on the invoice (by their amounts) instead of its lines; an invoice without billed time
is credited to no timekeeper.

A part whose matter (or timekeeper) is soft-deleted stays in the books, on no matter (no
timekeeper), so every grouping adds up to the same firm total. An invoice whose lines add up to
nothing (or that has none) is one part on no matter. Parts on confidential matters are left out
unless the caller may see them, as the invoices source leaves out their lines; an invoice
that would count whole then counts as its visible parts (the whole less the hidden ones), and
one with no visible part not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    cast,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import FromClause

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
from smarter_export.sources.analytics.allocation import part_of, with_running_sums
from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.groups import group_of
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import (
    amount_cents,
    cents,
    days_between,
    integer_sum,
    live,
    visible_matter,
)

BILLED_STATUSES = ("sent", "paid", "partially_paid", "written_off")
# Written-off invoices carry no date of the write-off, so their balance on a past day is
# unknown: aging leaves them out rather than guessing.
AGED_STATUSES = ("sent", "paid", "partially_paid")
# The groupings that need an invoice divided; the others take it whole.
DIVIDING_DIMENSIONS = frozenset({"matter", "practice_area", "timekeeper"})

inv = invoice.alias("inv")
c = client.alias("ic")
m = matter.alias("im")  # the part's matter, if live: its group
m_any = matter.alias("im_any")  # the part's matter, live or not: whether it may be seen
pa = practice_area.alias("ipa")
tk = timekeeper.alias("itk")

Share = Callable[[ColumnElement[Any]], ColumnElement[Any]]
"""An invoice amount (whole cents) -> this fact's part of it."""
Amounts = Callable[[Share], Sequence[ColumnElement[Any]]]
"""A metric's units of one fact, given how to take its share of an invoice amount."""


def paid_by(scope: Scope, filters: AnalyticsFilters) -> ColumnElement[Any]:
    """An invoice's cents of live payments dated on or before the period's last day.

    Looked up per invoice through the (tenant, invoice) index: a join to a grouped subquery of
    every invoice's payments is scanned once per row by SQLite when it sees no index for it."""
    pay = payment.alias("pay")
    return cast(
        func.coalesce(
            select(integer_sum(cents(pay.c.amount)))
            .where(
                pay.c.tenant_id == scope.tenant_id,
                pay.c.invoice_id == inv.c.id,
                live(pay),
                pay.c.payment_date <= filters.date_to,
            )
            .scalar_subquery(),
            0,
        ),
        BigInteger,
    )


@dataclass(frozen=True)
class ChosenInvoices:
    """Live invoices of live clients issued in the period, with what was paid by its end."""

    from_clause: FromClause
    conditions: tuple[ColumnElement[bool], ...]
    invoice_conditions: tuple[ColumnElement[bool], ...]  # those on the invoice row alone
    total_cents: ColumnElement[Any]
    paid_cents: ColumnElement[Any]


def chosen_invoices(
    scope: Scope, filters: AnalyticsFilters, statuses: tuple[str, ...]
) -> ChosenInvoices:
    conditions = [
        inv.c.tenant_id == scope.tenant_id,
        live(inv),
        inv.c.status.in_(statuses),
        inv.c.issue_date >= filters.date_from,
        inv.c.issue_date <= filters.date_to,
    ]
    if filters.client_id:
        conditions.append(inv.c.client_id == filters.client_id)
    return ChosenInvoices(
        from_clause=inv.join(c, c.c.id == inv.c.client_id),
        conditions=(*conditions, live(c)),
        invoice_conditions=tuple(conditions),
        total_cents=cast(cents(inv.c.total), BigInteger),
        paid_cents=paid_by(scope, filters),
    )


def line_weights(scope: Scope) -> Select[Any]:
    """Per (invoice, matter): cents of the live lines, the weight of the matter's part."""
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


def time_weights(scope: Scope) -> Select[Any]:
    """Per (invoice, matter, timekeeper): cents of the live billed time on the invoice."""
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


def divides(filters: AnalyticsFilters) -> bool:
    """Whether invoices must be divided: grouped or narrowed by matter, area or timekeeper."""
    f = filters
    return f.dimension in DIVIDING_DIMENSIONS or any(
        (f.matter_id, f.practice_area_id, f.timekeeper_id)
    )


class InvoiceFacts:
    """Facts of the chosen invoices: one per invoice, or one per part where they are divided."""

    def __init__(
        self,
        scope: Scope,
        filters: AnalyticsFilters,
        statuses: tuple[str, ...],
        *,
        by_time: bool = False,
    ) -> None:
        self.invoices = chosen_invoices(scope, filters, statuses)
        self._scope = scope
        self._filters = filters
        self._weights = time_weights(scope) if by_time else line_weights(scope)
        self._parts_cte: FromClause | None = None

    @property
    def total_cents(self) -> ColumnElement[Any]:
        return self.invoices.total_cents

    @property
    def paid_cents(self) -> ColumnElement[Any]:
        return self.invoices.paid_cents

    def facts(self, amounts: Amounts, where: Sequence[ColumnElement[bool]] = ()) -> Select[Any]:
        """Rows of (group, units) for the given amounts of each invoice."""
        if divides(self._filters):
            return self._parts(amounts, where)
        whole = (
            select(
                *group_of(self._filters.dimension, client=c, day=inv.c.issue_date),
                *amounts(lambda amount: amount),
            )
            .select_from(self.invoices.from_clause)
            .where(*self.invoices.conditions, *where)
        )
        if self._scope.include_confidential:
            return whole
        # An invoice with parts the caller may not see counts as its visible parts (the whole
        # less the hidden ones, exactly); one wholly hidden leaves no row.
        partly_hidden = self._partly_hidden()
        return (
            union_all(
                whole.where(inv.c.id.not_in(partly_hidden)),
                self._parts(amounts, [*where, inv.c.id.in_(partly_hidden)]),
            )
            .subquery("invoice_facts")
            .select()
        )

    def _allocated(self) -> FromClause:
        """Every chosen invoice's weighted parts with their running sums (one CTE per
        statement); an invoice whose parts weigh nothing is one part of no weight (NULL)."""
        if self._parts_cte is None:
            weights = self._weights.cte("w")
            weighing = (
                select(weights.c.invoice_id)
                .group_by(weights.c.invoice_id)
                .having(func.sum(weights.c.weight) != 0)
            )
            weighed = select(weights).where(weights.c.invoice_id.in_(weighing)).subquery("wn")
            by_invoice = (
                select(
                    inv.c.id.label("invoice_id"),
                    weighed.c.matter_id,
                    weighed.c.timekeeper_id,
                    weighed.c.weight,
                )
                .select_from(inv.outerjoin(weighed, weighed.c.invoice_id == inv.c.id))
                .where(*self.invoices.invoice_conditions)
                .subquery("weighted")
            )
            self._parts_cte = (
                with_running_sums(
                    by_invoice,
                    by_invoice.c.invoice_id,
                    (by_invoice.c.matter_id, by_invoice.c.timekeeper_id),
                )
                .cte("parts")
                # Computed once, and read from first: SQLite builds no index on a window's
                # result, so joining it to invoices would scan it once per invoice.
                .prefix_with("MATERIALIZED", dialect="postgresql")
            )
        return self._parts_cte

    def _partly_hidden(self) -> Select[Any]:
        """Ids of invoices with a part on a matter the caller may not see."""
        parts = self._allocated()
        secret = matter.alias("secret")
        return (
            select(parts.c.invoice_id)
            .join(secret, secret.c.id == parts.c.matter_id)
            .where(parts.c.weight_total != 0, not_(visible_matter(secret)))
        )

    def _parts(self, amounts: Amounts, where: Sequence[ColumnElement[bool]]) -> Select[Any]:
        f = self._filters
        parts = self._allocated()
        joined = (
            parts.join(inv, inv.c.id == parts.c.invoice_id)
            .join(c, c.c.id == inv.c.client_id)
            .outerjoin(m_any, m_any.c.id == parts.c.matter_id)
            .outerjoin(m, and_(m.c.id == parts.c.matter_id, live(m)))
            .outerjoin(pa, pa.c.id == m.c.practice_area_id)
            .outerjoin(tk, and_(tk.c.id == parts.c.timekeeper_id, live(tk)))
        )
        conditions = [
            *self.invoices.conditions,
            *where,
            or_(parts.c.matter_id.is_(None), visible_matter(m_any)),
        ]
        if f.matter_id:
            conditions.append(parts.c.matter_id == f.matter_id)
        if f.practice_area_id:
            conditions.append(m.c.practice_area_id == f.practice_area_id)
        if f.timekeeper_id:
            conditions.append(parts.c.timekeeper_id == f.timekeeper_id)

        def share(amount: ColumnElement[Any]) -> ColumnElement[Any]:
            return part_of(amount, parts.c.weight, parts.c.weight_running, parts.c.weight_total)

        group = group_of(
            f.dimension, timekeeper=tk, matter=m, client=c, practice_area=pa, day=inv.c.issue_date
        )
        return select(*group, *amounts(share)).select_from(joined).where(*conditions)


def days_past_due(filters: AnalyticsFilters) -> ColumnElement[Any]:
    """Days from the due date to the period's last day (0 or less: not yet due)."""
    return days_between(literal(filters.date_to, Date()), inv.c.due_date)
