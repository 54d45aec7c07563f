"""Realization: what the firm's billed time turned into, against its value at standard rates.

realization             billing realization = billed amount / standard value, over time
                        entries with status billed, dated in the period. Standard value: the
                        hours at the timekeeper's standard rate. Billed amount: the hours at the
                        rate they were billed (a rate below standard is a write-down), plus the
                        entries' part of their invoice's write-downs: its adjustment lines
                        (negative for a reduction) less its discount.
collection_realization  collected / standard value over the same time: the entries' part of the
                        payments to their invoices dated by the period's last day. What was
                        written off, or is still unpaid, is not collected.

An invoice's write-down is divided over its billed time (per timekeeper, matter, month) in
proportion to the time's value at billed rates, in whole cents that add up to the write-down
exactly (`allocation`). Payments are credited to time in proportion to what the time was billed
(after write-downs) within the invoice's total: the time's parts of a payment add up to the
payment x billed time / invoice total, rounded once; the rest went to fees, expenses and tax.
Write-downs and payments count from live invoices that were issued (sent, paid, partially paid,
written off); billed time on a void, draft or deleted invoice counts at its own rate, and as
nothing collected.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    select,
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
from smarter_export.sources.analytics.model import (
    amount,
    money,
    percent_column,
    ratio_metric,
)
from smarter_export.sources.analytics.shares import BILLED_STATUSES
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import cents, integer_sum, live, month_key, visible_matter

te = time_entry.alias("rte")
within = time_entry.alias("rte_within")
inv = invoice.alias("rinv")
tk = timekeeper.alias("rtk")
m = matter.alias("rm")
c = client.alias("rc")
pa = practice_area.alias("rpa")

_KEYS = ("timekeeper_id", "matter_id", "month", "in_period")


def _billed_time(scope: Scope, filters: AnalyticsFilters) -> FromClause:
    """Billed time per (invoice, timekeeper, matter, month, in the period or not), of every
    invoice that bills time dated in the period: its value at billed rates is the weight."""
    f = filters
    dated_in_period = and_(te.c.date >= f.date_from, te.c.date <= f.date_to)
    invoices_in_period = select(within.c.invoice_id).where(
        within.c.tenant_id == scope.tenant_id,
        within.c.date >= f.date_from,
        within.c.date <= f.date_to,
        within.c.status == "billed",
        live(within),
    )
    in_period = case((dated_in_period, 1), else_=0)
    keys = [
        te.c.invoice_id,
        te.c.timekeeper_id,
        te.c.matter_id,
        month_key(te.c.date).label("month"),
        cast(in_period, Integer).label("in_period"),
    ]
    minutes = te.c.duration_minutes
    return (
        select(
            *keys,
            integer_sum(minutes).label("minutes"),
            integer_sum(cast(cents(te.c.rate), BigInteger) * minutes).label("weight"),
        )
        .where(
            te.c.tenant_id == scope.tenant_id,
            live(te),
            te.c.status == "billed",
            # Time dated in the period, and the rest of its invoices' time (for their parts).
            (te.c.invoice_id.in_(invoices_in_period) | dated_in_period),
        )
        .group_by(*keys)
        .subquery("billed_time")
    )


def _priced(scope: Scope, filters: AnalyticsFilters) -> FromClause:
    """The billed time with its issued invoice's total, write-down (adjustment lines -
    discount) and payments by the period's last day, in cents; NULL without an issued invoice.

    The invoice by its primary key, its lines and payments through their (tenant, invoice)
    indexes: a lookup per row, where joining a grouped subquery of every invoice's money let
    SQLite scan that subquery once per row."""
    time = _billed_time(scope, filters)
    li = invoice_line_item.alias("radj")
    adjusted = (
        select(integer_sum(cents(li.c.amount)))
        .where(
            li.c.tenant_id == scope.tenant_id,
            li.c.invoice_id == inv.c.id,
            live(li),
            li.c.type == "adjustment",
        )
        .scalar_subquery()
    )
    pay = payment.alias("rpay")
    paid = (
        select(integer_sum(cents(pay.c.amount)))
        .where(
            pay.c.tenant_id == scope.tenant_id,
            pay.c.invoice_id == inv.c.id,
            live(pay),
            pay.c.payment_date <= filters.date_to,
        )
        .scalar_subquery()
    )
    issued = and_(
        inv.c.id == time.c.invoice_id,
        inv.c.tenant_id == scope.tenant_id,
        live(inv),
        inv.c.status.in_(BILLED_STATUSES),
    )
    return (
        select(
            *time.c,
            cast(cents(inv.c.total), BigInteger).label("total_cents"),
            cast(adjusted - cents(inv.c.discount), BigInteger).label("invoice_write_down"),
            cast(paid, BigInteger).label("paid_cents"),
        )
        .select_from(time.outerjoin(inv, issued))
        .subquery("priced")
    )


def _billed_parts(scope: Scope, filters: AnalyticsFilters) -> FromClause:
    """The billed time with its part of the invoice's write-down, its billed amount (in
    cent-minutes) and its part of the payments."""
    priced = _priced(scope, filters)
    order = [priced.c[key] for key in _KEYS]
    written = with_running_sums(priced, priced.c.invoice_id, order).subquery("written")
    write_down = func.coalesce(
        part_of(
            written.c.invoice_write_down,
            written.c.weight,
            written.c.weight_running,
            written.c.weight_total,
        ),
        0,
    )
    billed = select(
        *written.c,
        cast(write_down, BigInteger).label("write_down_cents"),
        cast(written.c.weight + write_down * 60, BigInteger).label("billed"),
    ).subquery("billed")
    paid = with_running_sums(
        billed, billed.c.invoice_id, [billed.c[key] for key in _KEYS], weight="billed"
    ).subquery("paid_parts")
    # The whole is the invoice's total (in cent-minutes): the time's parts of a payment are
    # its share of the total, the rest went to fees, expenses and tax.
    collected = func.coalesce(
        part_of(paid.c.paid_cents, paid.c.billed, paid.c.billed_running, paid.c.total_cents * 60),
        0,
    )
    return (
        select(*paid.c, cast(collected, BigInteger).label("collected_cents"))
        .where(paid.c.in_period == 1)
        .subquery("realized")
    )


def _realization_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    f = filters
    parts = _billed_parts(scope, f)
    joined = (
        parts.join(tk, tk.c.id == parts.c.timekeeper_id)
        .join(m, m.c.id == parts.c.matter_id)
        .join(c, c.c.id == m.c.client_id)
        .outerjoin(pa, pa.c.id == m.c.practice_area_id)
    )
    conditions: list[ColumnElement[bool]] = [live(tk), live(m), live(c), visible_matter(m)]
    for value, column in (
        (f.client_id, m.c.client_id),
        (f.practice_area_id, m.c.practice_area_id),
        (f.matter_id, parts.c.matter_id),
        (f.timekeeper_id, parts.c.timekeeper_id),
    ):
        if value:
            conditions.append(column == value)
    group = group_of(
        f.dimension, timekeeper=tk, matter=m, client=c, practice_area=pa, month=parts.c.month
    )
    return (
        select(
            *group,
            parts.c.weight.label("at_rate_cent_minutes"),
            parts.c.write_down_cents,
            parts.c.billed.label("billed_cent_minutes"),
            parts.c.collected_cents,
            (cast(cents(tk.c.rate), BigInteger) * parts.c.minutes).label("standard_cent_minutes"),
        )
        .select_from(joined)
        .where(*conditions)
    )


_STANDARD = amount("standard_cent_minutes", "standardValue", "Standard value")
_BILLED = amount("billed_cent_minutes", "billedAmount", "Billed amount")
_COUNTS = (
    "Counts: time billed below its timekeeper's standard rate, adjustment lines and discounts "
    "on its invoices (divided over the invoice's billed time by value, in whole cents that add "
    "up to the invoice's figure)"
)

REALIZATION = ratio_metric(
    name="realization",
    title="Billing realization",
    definition="Billing realization = billed amount / standard value, over time entries with "
    "status billed dated in the period. Standard value: the hours at the timekeeper's standard "
    "rate. Billed amount: the hours at the rate billed, plus their part of their invoices' "
    f"adjustment lines, less their part of the invoices' discounts. {_COUNTS}. Leaves out: "
    "unbilled time, non-billable and no-charge time, fixed and contingency fees, expenses, "
    "tax, and write-offs of billed amounts (see collection_realization).",
    facts=_realization_facts,
    before=(
        amount("at_rate_cent_minutes", "atBilledRates", "At billed rates"),
        money("write_down_cents", "invoiceWriteDowns", "Invoice write-downs"),
    ),
    numerator=_BILLED,
    denominator=_STANDARD,
    ratio_column=percent_column("realization", "Realization", "billed amount / standard value"),
)

COLLECTION_REALIZATION = ratio_metric(
    name="collection_realization",
    title="Collection realization",
    definition="Collection realization = collected / standard value, over time entries with "
    "status billed dated in the period. Collected: the time's part of the payments to its "
    "invoices dated by the period's last day (a payment is credited to the time in proportion "
    "to its billed amount within the invoice's total). Standard value and billed amount as in "
    f"billing realization. {_COUNTS}, and what was written off or is still unpaid. Leaves out: "
    "unbilled time, non-billable and no-charge time, fees, expenses and tax, and payments "
    "after the period.",
    facts=_realization_facts,
    before=(_BILLED,),
    numerator=money("collected_cents", "collected", "Collected"),
    denominator=_STANDARD,
    ratio_column=percent_column(
        "collectionRealization", "Collection realization", "collected / standard value"
    ),
)
