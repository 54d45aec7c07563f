"""The metrics of invoices and payments: collection, aging, profitability, effective rate.

collection            amount collected / amount invoiced: invoices issued in the period (sent,
                      paid, partially paid or written off; not draft or void), and the payments
                      to them dated on or before the period's last day.
ar_aging              open balance of those invoices (sent, paid or partially paid) as of the
                      period's last day (total - payments by then), by days past due on that day:
                      current (not yet due), 1-30, 31-60, 61-90, 91-120, over 120. The row's ratio
                      is the past-due share of the open balance.
matter_profitability  (revenue collected - labour cost) / revenue collected: revenue is collection's
                      numerator; labour cost is every hour recorded in the period (billable or not)
                      at the timekeeper's cost rate.
effective_rate        amount collected / hours worked (all hours recorded in the period).

Grouped by client, month or for the firm, every invoice counts whole; grouped by matter,
practice area or timekeeper, its amounts are divided in exact parts (see `shares`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, literal, union_all

from smarter_export.sources.analytics.filters import AnalyticsFilters
from smarter_export.sources.analytics.model import (
    CENT_MINUTES_PER_DOLLAR,
    Figure,
    Metric,
    Units,
    amount,
    hours,
    money,
    money_column,
    percent_column,
    ratio_metric,
)
from smarter_export.sources.analytics.shares import (
    AGED_STATUSES,
    BILLED_STATUSES,
    InvoiceFacts,
    Share,
    days_past_due,
)
from smarter_export.sources.analytics.work import at_rate, tk, work_facts
from smarter_export.sources.base import Scope
from smarter_export.sources.sql import decimal_ratio

_ZERO = literal(0, BigInteger())


def _collection_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    invoices = InvoiceFacts(scope, filters, BILLED_STATUSES)
    return invoices.facts(
        lambda share: [
            share(invoices.paid_cents).label("collected_cents"),
            share(invoices.total_cents).label("invoiced_cents"),
        ]
    )


COLLECTION = ratio_metric(
    name="collection",
    title="Collection",
    definition="Collection = amount collected / amount invoiced, over invoices issued in the "
    "period (not draft or void) and the payments to them dated by the period's last day.",
    facts=_collection_facts,
    numerator=money("collected_cents", "collected", "Collected"),
    denominator=money("invoiced_cents", "invoiced", "Invoiced"),
    ratio_column=percent_column("collectionRate", "Collection", "collected / invoiced"),
)

# (unit, column name, header, lowest and highest days past due; None: unbounded)
AGING_BUCKETS: tuple[tuple[str, str, str, int | None, int | None], ...] = (
    ("current_cents", "current", "Current", None, 0),
    ("days_1_30_cents", "days1To30", "1-30 days", 1, 30),
    ("days_31_60_cents", "days31To60", "31-60 days", 31, 60),
    ("days_61_90_cents", "days61To90", "61-90 days", 61, 90),
    ("days_91_120_cents", "days91To120", "91-120 days", 91, 120),
    ("over_120_cents", "over120", "Over 120 days", 121, None),
)


def _aging_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    invoices = InvoiceFacts(scope, filters, AGED_STATUSES)
    open_cents = invoices.total_cents - invoices.paid_cents
    late = days_past_due(filters)

    def units(share: Share) -> list[ColumnElement[Any]]:
        # An invoice's open balance is in one bucket: its part there is its part of the balance.
        open_part = share(open_cents)

        def within(low: int | None, high: int | None) -> ColumnElement[Any]:
            conditions = [late >= low] if low is not None else []
            conditions += [late <= high] if high is not None else []
            return case((and_(*conditions), open_part), else_=_ZERO)

        return [
            *(within(low, high).label(unit) for unit, _, _, low, high in AGING_BUCKETS),
            case((late > 0, open_part), else_=_ZERO).label("past_due_cents"),
            open_part.label("open_cents"),
        ]

    return invoices.facts(units, where=[open_cents > 0])


AR_AGING = ratio_metric(
    name="ar_aging",
    title="Accounts receivable aging",
    definition="Open balance as of the period's last day (invoice total - payments dated by "
    "then) of invoices issued in the period, by days past due on that day; past-due share = "
    "balance 1 or more days past due / open balance. Written-off invoices are left out.",
    facts=_aging_facts,
    before=tuple(money(unit, name, header) for unit, name, header, _, _ in AGING_BUCKETS),
    numerator=money("past_due_cents", "pastDue", "Past due"),
    denominator=money("open_cents", "openBalance", "Open balance"),
    ratio_column=percent_column("pastDueShare", "Past due share", "past due / open balance"),
)


def _collected_and_worked(
    scope: Scope, filters: AnalyticsFilters, cost_rate: ColumnElement[Any]
) -> Select[Any]:
    """Collections (invoice shares) and work (time entries) of the same groups, side by side."""
    invoices = InvoiceFacts(
        scope, filters, BILLED_STATUSES, by_time=filters.dimension == "timekeeper"
    )
    collected = invoices.facts(
        lambda share: [
            share(invoices.paid_cents).label("collected_cents"),
            _ZERO.label("cost_cent_minutes"),
            _ZERO.label("worked_minutes"),
        ]
    )
    worked = work_facts(
        scope,
        filters,
        lambda work: [
            _ZERO.label("collected_cents"),
            cast(at_rate(cost_rate, work.c.minutes), BigInteger).label("cost_cent_minutes"),
            work.c.minutes.label("worked_minutes"),
        ],
    )
    return union_all(collected, worked).subquery("collected_and_worked").select()


def _profitability_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    return _collected_and_worked(scope, filters, tk.c.cost_rate)


def _profit_cent_minutes(units: Units) -> ColumnElement[Any]:
    return units["collected_cents"] * 60 - units["cost_cent_minutes"]


def _profit(units: Units) -> ColumnElement[Any]:
    return decimal_ratio(_profit_cent_minutes(units), CENT_MINUTES_PER_DOLLAR, 2)


def _margin(units: Units) -> ColumnElement[Any]:
    return decimal_ratio(_profit_cent_minutes(units), units["collected_cents"] * 60, 3)


_HOURS_WORKED = hours("worked_minutes", "hoursWorked", "Hours worked")
_COLLECTED = money("collected_cents", "collected", "Collected")

MATTER_PROFITABILITY = Metric(
    name="matter_profitability",
    title="Matter profitability",
    definition="Margin = (revenue collected - labour cost) / revenue collected. Revenue: "
    "payments dated by the period's last day to invoices issued in the period. Labour cost: "
    "hours recorded in the period x the timekeeper's cost rate.",
    units=("collected_cents", "cost_cent_minutes", "worked_minutes"),
    figures=(
        _HOURS_WORKED.figure(),
        amount("cost_cent_minutes", "laborCost", "Labour cost").figure(),
        Figure(money_column("profit", "Profit"), _profit),
        money("collected_cents", "revenueCollected", "Revenue collected").figure(),
        Figure(percent_column("margin", "Margin", "profit / revenue collected"), _margin),
    ),
    facts=_profitability_facts,
)


def _effective_rate_facts(scope: Scope, filters: AnalyticsFilters) -> Select[Any]:
    return _collected_and_worked(scope, filters, literal(0))


EFFECTIVE_RATE = ratio_metric(
    name="effective_rate",
    title="Effective rate",
    definition="Effective rate = amount collected / hours worked: payments dated by the "
    "period's last day to invoices issued in the period, over all hours recorded in the period.",
    facts=_effective_rate_facts,
    numerator=_COLLECTED,
    denominator=_HOURS_WORKED,
    ratio_column=money_column("effectiveRate", "Effective rate", "collected per hour worked"),
)
