"""Analytics money ties out to the ledger to the cent, for random firms (Hypothesis).

Each example builds a firm whose invoices spread over many matters (some in no practice area,
some confidential, some soft-deleted), with odd cents, negative adjustment lines, discounts,
partial and late payments, billed time by several timekeepers, and invoices in every status,
some outside the period. Then every invoice metric in every grouping must give:

- grouped by client, month or firm: exactly the ledger's sums of invoices and payments per row;
- grouped by matter, practice area or timekeeper: rows that add up exactly to the ledger's
  total, each within a cent per invoice part of its exact proportional share;
- a total row equal to the ledger's total, and equal to the sum of the rows above it;
- with confidential matters hidden, the same total in every grouping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from smarter_export.sources.analytics.filters import DIMENSIONS
from smarter_export.sources.analytics.money_metrics import AGING_BUCKETS
from tests.factories import (
    make_client,
    make_invoice,
    make_line_item,
    make_matter,
    make_payment,
    make_practice_area,
    make_tenant,
    make_time_entry,
    make_timekeeper,
)
from tests.sources.support import export_rows

DATE_FROM, DATE_TO = date(2024, 1, 1), date(2024, 6, 30)
PERIOD = {"dateFrom": DATE_FROM.isoformat(), "dateTo": DATE_TO.isoformat()}
FIRST_DAY = date(2023, 12, 15)  # invoices are issued from here, for 220 days: some outside
STATUSES = ("sent", "paid", "partially_paid", "written_off", "void", "draft")
BILLED = ("sent", "paid", "partially_paid", "written_off")
AGED = ("sent", "paid", "partially_paid")
BUCKETS = tuple((name, low, high) for _, name, _, low, high in AGING_BUCKETS)
INVOICE_METRICS = ("collection", "ar_aging", "matter_profitability", "effective_rate")
# The money columns of each metric that are whole cents of invoices and payments.
MONEY: dict[str, tuple[str, ...]] = {
    "collection": ("collected", "invoiced"),
    "ar_aging": (*(name for name, _, _ in BUCKETS), "pastDue", "openBalance"),
    "matter_profitability": ("revenueCollected",),
    "effective_rate": ("collected",),
}
# Each example is a new firm (tenant) in the test's one database, so the fixture is shared.
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LABEL = {
    "client": "client",
    "matter": "matter",
    "practice_area": "practiceArea",
    "month": "month",
    "firm": "firm",
    "timekeeper": "timekeeper",
}


@dataclass(frozen=True)
class MatterSpec:
    client: int
    area: int | None
    confidential: bool
    deleted: bool


@dataclass(frozen=True)
class InvoiceSpec:
    client: int
    issued: int  # days after FIRST_DAY
    due_after: int
    status: str
    deleted: bool
    lines: tuple[tuple[int | None, int], ...]  # (matter index or None, cents; negative: adjustment)
    discount_share: int  # percent of the positive lines
    payments: tuple[tuple[int, int], ...]  # (percent of the total, days after issue)
    time: tuple[tuple[int, int, int, int], ...]  # (timekeeper, matter, minutes, rate cents)


@dataclass(frozen=True)
class FirmSpec:
    matters: tuple[MatterSpec, ...]
    invoices: tuple[InvoiceSpec, ...]


@st.composite
def firms(draw: st.DrawFn) -> FirmSpec:
    matters = tuple(
        draw(
            st.lists(
                st.builds(
                    MatterSpec,
                    client=st.integers(0, 1),
                    area=st.one_of(st.none(), st.integers(0, 1)),
                    confidential=st.booleans(),
                    deleted=st.sampled_from((False, False, False, True)),
                ),
                min_size=1,
                max_size=6,
            )
        )
    )
    matter_index = st.integers(0, len(matters) - 1)
    line = st.tuples(
        st.one_of(matter_index, st.none()),
        st.one_of(st.integers(1, 500_000), st.integers(-60_000, -1)),
    )
    invoice = st.builds(
        InvoiceSpec,
        client=st.integers(0, 1),
        issued=st.integers(0, 220),
        due_after=st.integers(0, 90),
        status=st.sampled_from(STATUSES),
        deleted=st.sampled_from((False,) * 7 + (True,)),
        lines=st.lists(line, max_size=7).map(tuple),
        discount_share=st.sampled_from((0, 0, 3, 10, 17)),
        payments=st.lists(st.tuples(st.integers(1, 100), st.integers(0, 250)), max_size=3).map(
            tuple
        ),
        time=st.lists(
            st.tuples(
                st.integers(0, 2), matter_index, st.integers(1, 600), st.integers(7_001, 99_999)
            ),
            max_size=5,
        ).map(tuple),
    )
    return FirmSpec(matters, tuple(draw(st.lists(invoice, min_size=1, max_size=8))))


def cents_text(cents: int) -> str:
    return str(Decimal(cents) / 100)


@dataclass
class Ledger:
    """What the books say, worked out in Python from the spec."""

    invoiced: dict[str, dict[object, int]]  # grouping -> group label -> cents, whole groupings
    collected: dict[str, dict[object, int]]
    aging: dict[str, dict[object, dict[str, int]]]
    shares: dict[str, dict[object, tuple[Fraction, Fraction, int]]]  # exact (invoiced, paid), parts
    aging_total: dict[str, int]
    invoiced_total: int = 0
    collected_total: int = 0


def build(engine: Engine, spec: FirmSpec) -> tuple[str, dict[str, Ledger]]:
    """Insert the firm; return its tenant and the ledger's figures (by line and by time)."""
    with engine.begin() as c:
        tenant = make_tenant(c)
        areas = [make_practice_area(c, tenant_id=tenant, name=n) for n in ("Area A", "Area B")]
        people = [
            make_timekeeper(c, tenant_id=tenant, name=f"TK {n}", rate="333.33") for n in range(3)
        ]
        clients = [make_client(c, tenant_id=tenant, name=f"Client {n}") for n in range(2)]
        matter_ids = [
            make_matter(
                c,
                tenant_id=tenant,
                client_id=clients[m.client],
                matter_number=f"M-{n}",
                name=f"m{n}",
                practice_area_id=None if m.area is None else areas[m.area],
                is_confidential=m.confidential,
            )
            for n, m in enumerate(spec.matters)
        ]
        for n, m in enumerate(spec.matters):
            if m.deleted:  # deleted after billing: its lines and time stay on the invoices
                c.exec_driver_sql(
                    "UPDATE matter SET is_deleted = true WHERE id = %s"
                    if c.dialect.name == "postgresql"
                    else "UPDATE matter SET is_deleted = 1 WHERE id = ?",
                    (matter_ids[n],),
                )
        facts = []
        for invoice in spec.invoices:
            subtotal = sum(amount for _, amount in invoice.lines)
            positive = sum(amount for _, amount in invoice.lines if amount > 0)
            discount = positive * invoice.discount_share // 100
            total = subtotal - discount
            issued = FIRST_DAY + timedelta(days=invoice.issued)
            invoice_id = make_invoice(
                c,
                tenant_id=tenant,
                client_id=clients[invoice.client],
                status=invoice.status,
                issue_date=issued,
                due_date=issued + timedelta(days=invoice.due_after),
                total=cents_text(total),
                discount=cents_text(discount),
                is_deleted=invoice.deleted,
            )
            for matter, amount in invoice.lines:
                make_line_item(
                    c,
                    tenant_id=tenant,
                    invoice_id=invoice_id,
                    matter_id=None if matter is None else matter_ids[matter],
                    amount=cents_text(amount),
                    type_="time" if amount > 0 else "adjustment",
                )
            paid = 0
            for percent, after in invoice.payments:
                amount = max(total * percent // 100, 1)
                day = issued + timedelta(days=after)
                make_payment(
                    c, tenant_id=tenant, invoice_id=invoice_id, amount=cents_text(amount), day=day
                )
                paid += amount if day <= DATE_TO else 0
            for person, matter, minutes, rate in invoice.time:
                make_time_entry(
                    c,
                    tenant_id=tenant,
                    timekeeper_id=people[person],
                    matter_id=matter_ids[matter],
                    day=DATE_FROM,
                    minutes=minutes,
                    rate=cents_text(rate),
                    status="billed",
                    invoice_id=invoice_id,
                )
            facts.append((invoice, issued, total, paid))
    return tenant, {
        "line": ledger(spec, facts, by_time=False),
        "time": ledger(spec, facts, by_time=True),
    }


def ledger(
    spec: FirmSpec, facts: list[tuple[InvoiceSpec, date, int, int]], *, by_time: bool
) -> Ledger:
    book = Ledger(
        invoiced=defaultdict(lambda: defaultdict(int)),
        collected=defaultdict(lambda: defaultdict(int)),
        aging=defaultdict(lambda: defaultdict(lambda: defaultdict(int))),
        shares=defaultdict(lambda: defaultdict(lambda: (Fraction(0), Fraction(0), 0))),
        aging_total=defaultdict(int),
    )
    for invoice, issued, total, paid in facts:
        if invoice.deleted or not DATE_FROM <= issued <= DATE_TO:
            continue
        client, month = f"Client {invoice.client}", f"{issued:%Y-%m}"
        whole = {"client": client, "month": month, "firm": "Firm"}
        if invoice.status in BILLED:
            book.invoiced_total += total
            book.collected_total += paid
            for grouping, label in whole.items():
                book.invoiced[grouping][label] += total
                book.collected[grouping][label] += paid
            for grouping, parts_of_invoice in divided_labels(spec, invoice, by_time):
                for key, weight, weight_total in parts_of_invoice:
                    invoiced, collected, parts = book.shares[grouping][key]
                    book.shares[grouping][key] = (
                        invoiced + Fraction(total * weight, weight_total),
                        collected + Fraction(paid * weight, weight_total),
                        parts + 1,
                    )
        open_cents = total - paid
        if invoice.status in AGED and open_cents > 0:
            late = (DATE_TO - (issued + timedelta(days=invoice.due_after))).days
            bucket = next(
                name
                for name, low, high in BUCKETS
                if (low is None or late >= low) and (high is None or late <= high)
            )
            for grouping in ("client", "firm"):
                row = book.aging[grouping][whole[grouping]]
                row[bucket] += open_cents
                row["openBalance"] += open_cents
                row["pastDue"] += open_cents if late > 0 else 0
            book.aging_total[bucket] += open_cents
            book.aging_total["openBalance"] += open_cents
            book.aging_total["pastDue"] += open_cents if late > 0 else 0
    return book


def divided_labels(
    spec: FirmSpec, invoice: InvoiceSpec, by_time: bool
) -> list[tuple[str, list[tuple[object, int, int]]]]:
    """Per dividing grouping: (group label, weight, total weight) of each of the invoice's parts."""
    weights: dict[tuple[int | None, int | None], int] = defaultdict(int)
    if by_time:
        for person, matter, minutes, rate in invoice.time:
            weights[(matter, person)] += (rate * minutes * 2 + 60) // 120
    else:
        for matter, amount in invoice.lines:
            weights[(matter, None)] += amount
    weight_total = sum(weights.values())
    if weight_total == 0:
        weights, weight_total = {(None, None): 1}, 1

    def matter_label(index: int | None) -> str:
        live = index is not None and not spec.matters[index].deleted
        return f"M-{index} m{index}" if live else "(no matter)"

    def area_label(index: int | None) -> str:
        if index is None or spec.matters[index].deleted or spec.matters[index].area is None:
            return "(none)"
        return ("Area A", "Area B")[spec.matters[index].area]  # type: ignore[index]

    groupings = {
        "matter": lambda key: matter_label(key[0]),
        "practice_area": lambda key: area_label(key[0]),
        "timekeeper": lambda key: "(no timekeeper)" if key[1] is None else f"TK {key[1]}",
    }
    return [
        (grouping, [(label(key), weight, weight_total) for key, weight in weights.items()])
        for grouping, label in groupings.items()
    ]


def money_cents(row: dict[str, object], column: str) -> int:
    value = row[column]
    assert isinstance(value, Decimal)
    return int(value * 100)


def check_metric(engine: Engine, tenant: str, metric: str, books: dict[str, Ledger]) -> None:
    for grouping in DIMENSIONS[metric]:
        params = {"metric": metric, "groupBy": grouping, **PERIOD}
        rows = export_rows(engine, "analytics", tenant, params, include_confidential=True)
        if not rows:
            continue
        label = LABEL[grouping]
        *groups, total = rows if grouping != "firm" else (*rows, rows[-1])
        book = books["time" if grouping == "timekeeper" else "line"]
        for column in MONEY[metric]:
            # The rows add up to the total row, which is the ledger's total.
            assert sum(money_cents(r, column) for r in groups) == money_cents(total, column)
            if metric == "ar_aging":
                expected_total = book.aging_total[column]
            elif column == "invoiced":
                expected_total = book.invoiced_total
            else:
                expected_total = book.collected_total
            assert money_cents(total, column) == expected_total, (metric, grouping, column)
        for row in groups:
            key = row[label]
            if metric == "ar_aging":
                expected = book.aging[grouping][key]
                assert {col: money_cents(row, col) for col in MONEY[metric]} == {
                    col: expected[col] for col in MONEY[metric]
                }
            elif grouping in ("client", "month", "firm"):  # whole invoices: exact
                column = MONEY[metric][0]
                assert money_cents(row, column) == book.collected[grouping][key]
                if metric == "collection":
                    assert money_cents(row, "invoiced") == book.invoiced[grouping][key]
            else:  # exact parts: each within a cent of its proportional share
                invoiced, collected, parts = book.shares[grouping][key]
                assert abs(money_cents(row, MONEY[metric][0]) - collected) < max(parts, 1)
                if metric == "collection":
                    assert abs(money_cents(row, "invoiced") - invoiced) < max(parts, 1)


@pytest.mark.parametrize("metric", INVOICE_METRICS)
@EXAMPLES
@given(spec=firms())
def test_invoice_money_ties_out_to_the_ledger_in_every_grouping(
    engine: Engine, metric: str, spec: FirmSpec
) -> None:
    tenant, books = build(engine, spec)
    check_metric(engine, tenant, metric, books)


@EXAMPLES
@given(spec=firms())
def test_hidden_confidential_parts_leave_every_grouping_with_the_same_total(
    engine: Engine, spec: FirmSpec
) -> None:
    tenant, books = build(engine, spec)
    collected, invoiced = set(), set()
    for grouping in DIMENSIONS["collection"]:
        params = {"metric": "collection", "groupBy": grouping, **PERIOD}
        rows = export_rows(engine, "analytics", tenant, params)
        collected.add(rows[-1]["collected"] if rows else Decimal("0.00"))
        invoiced.add(rows[-1]["invoiced"] if rows else Decimal("0.00"))
    for grouping in DIMENSIONS["matter_profitability"]:
        params = {"metric": "matter_profitability", "groupBy": grouping, **PERIOD}
        rows = export_rows(engine, "analytics", tenant, params)
        collected.add(rows[-1]["revenueCollected"] if rows else Decimal("0.00"))
        if grouping == "matter":
            shown = {row["matter"] for row in rows}
            secret = {f"M-{n} m{n}" for n, m in enumerate(spec.matters) if m.confidential}
            assert not shown & secret
    assert len(collected) == 1 and len(invoiced) == 1, (collected, invoiced)
    if not any(m.confidential for m in spec.matters):
        assert money_cents({"x": invoiced.pop()}, "x") == books["line"].invoiced_total
        assert money_cents({"x": collected.pop()}, "x") == books["line"].collected_total


def half_away_from_zero(value: Fraction) -> int:
    magnitude = int(abs(value) + Fraction(1, 2))
    return -magnitude if value < 0 else magnitude


def realized(spec: FirmSpec) -> tuple[int, int]:
    """The firm's invoice write-downs on billed time and the time's part of what was collected:
    per invoice, write-down = adjustments - discount, and the time's share of the payments =
    paid x (time at billed rates + write-down) / total, rounded once."""
    write_downs = collected = 0
    for invoice in spec.invoices:
        if invoice.deleted or invoice.status not in BILLED or not invoice.time:
            continue
        positive = sum(amount for _, amount in invoice.lines if amount > 0)
        discount = positive * invoice.discount_share // 100
        total = sum(amount for _, amount in invoice.lines) - discount
        write_down = sum(amount for _, amount in invoice.lines if amount < 0) - discount
        paid = sum(
            max(total * percent // 100, 1)
            for percent, after in invoice.payments
            if FIRST_DAY + timedelta(days=invoice.issued + after) <= DATE_TO
        )
        billed = sum(rate * minutes for _, _, minutes, rate in invoice.time) + 60 * write_down
        write_downs += write_down
        collected += half_away_from_zero(Fraction(paid * billed, 60 * total)) if total else 0
    return write_downs, collected


@EXAMPLES
@given(spec=firms())
def test_realization_write_downs_and_collections_tie_out(engine: Engine, spec: FirmSpec) -> None:
    tenant, _ = build(engine, spec)
    write_downs, collected = realized(spec)
    every_matter_live = not any(m.deleted for m in spec.matters)
    for metric, column, expected in (
        ("realization", "invoiceWriteDowns", write_downs),
        ("collection_realization", "collected", collected),
    ):
        for grouping in DIMENSIONS[metric]:
            params = {"metric": metric, "groupBy": grouping, **PERIOD}
            rows = export_rows(engine, "analytics", tenant, params, include_confidential=True)
            *groups, total = rows or [{column: Decimal("0.00")}]
            # Whole-cent parts: the rows add up to the total row exactly...
            assert sum(money_cents(r, column) for r in groups) == money_cents(total, column)
            # ...which is the invoices' figure (time on deleted matters is not counted).
            if every_matter_live:
                assert money_cents(total, column) == expected, (metric, grouping)
