"""Billing and collection realization, each kind of write-down alone and all together.

Every expected figure is worked out here by hand, in the comments, from the rows inserted.
Standard rates: Ada 400.00 an hour, Bo 250.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Engine

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

D = Decimal
Q1 = {"dateFrom": "2024-01-01", "dateTo": "2024-03-31"}
REALIZATION_COLUMNS = ("atBilledRates", "invoiceWriteDowns", "billedAmount", "standardValue")


@dataclass(frozen=True)
class Firm:
    tenant: str
    ada: str
    bo: str
    matter: str
    other_matter: str
    client: str


def make_firm(c: Connection) -> Firm:
    tenant = make_tenant(c)
    area = make_practice_area(c, tenant_id=tenant, name="Litigation")
    client = make_client(c, tenant_id=tenant, name="Acme")
    return Firm(
        tenant=tenant,
        ada=make_timekeeper(c, tenant_id=tenant, name="Ada", rate="400.00"),
        bo=make_timekeeper(c, tenant_id=tenant, name="Bo", rate="250.00"),
        matter=make_matter(
            c, tenant_id=tenant, client_id=client, matter_number="M-1", name="One",
            practice_area_id=area,
        ),
        other_matter=make_matter(
            c, tenant_id=tenant, client_id=client, matter_number="M-2", name="Two"
        ),
        client=client,
    )  # fmt: skip


def bill(
    c: Connection,
    firm: Firm,
    *,
    time: list[tuple[str, int, str]],  # (timekeeper, minutes, rate billed)
    total: str,
    discount: str = "0.00",
    adjustment: str | None = None,
    expense: str | None = None,
    status: str = "sent",
    matter: str | None = None,
    day: date = date(2024, 2, 1),
) -> str:
    """An invoice billing the given time (one time line per entry), with its other lines."""
    matter = matter or firm.matter
    invoice = make_invoice(
        c,
        tenant_id=firm.tenant,
        client_id=firm.client,
        total=total,
        discount=discount,
        status=status,
        issue_date=date(2024, 3, 5),
    )
    for person, minutes, rate in time:
        entry = make_time_entry(
            c,
            tenant_id=firm.tenant,
            timekeeper_id=person,
            matter_id=matter,
            day=day,
            minutes=minutes,
            rate=rate,
            status="billed",
            invoice_id=invoice,
        )
        value = (D(rate) * minutes / 60).quantize(D("0.01"))
        make_line_item(
            c,
            tenant_id=firm.tenant,
            invoice_id=invoice,
            matter_id=matter,
            amount=str(value),
            time_entry_id=entry,
        )
    for type_, amount in (("adjustment", adjustment), ("expense", expense)):
        if amount is not None:
            make_line_item(
                c,
                tenant_id=firm.tenant,
                invoice_id=invoice,
                matter_id=matter,
                amount=amount,
                type_=type_,
            )
    return invoice


def realization(engine: Engine, tenant: str, **params: str) -> list[tuple[object, ...]]:
    rows = export_rows(engine, "analytics", tenant, {"metric": "realization", **Q1, **params})
    label = next(iter(rows[0])) if rows else "timekeeper"
    return [(r[label], *(r[col] for col in REALIZATION_COLUMNS), r["realization"]) for r in rows]


def collection_realization(engine: Engine, tenant: str, **params: str) -> list[tuple[object, ...]]:
    rows = export_rows(
        engine, "analytics", tenant, {"metric": "collection_realization", **Q1, **params}
    )
    label = next(iter(rows[0])) if rows else "timekeeper"
    return [
        (r[label], r["billedAmount"], r["collected"], r["standardValue"],
         r["collectionRealization"])
        for r in rows
    ]  # fmt: skip


def test_a_rate_below_standard_alone(engine: Engine) -> None:
    with engine.begin() as c:
        firm = make_firm(c)
        # Ada's 1.5 h at an agreed 300.00: 450.00 billed of 600.00 standard, paid in full.
        invoice = bill(c, firm, time=[(firm.ada, 90, "300.00")], total="450.00", status="paid")
        make_payment(
            c, tenant_id=firm.tenant, invoice_id=invoice, amount="450.00", day=date(2024, 3, 20)
        )
    assert realization(engine, firm.tenant) == [
        ("Ada", D("450.00"), D("0.00"), D("450.00"), D("600.00"), D("0.750")),
        ("Total (firm)", D("450.00"), D("0.00"), D("450.00"), D("600.00"), D("0.750")),
    ]
    assert collection_realization(engine, firm.tenant)[-1] == (
        "Total (firm)", D("450.00"), D("450.00"), D("600.00"), D("0.750"),
    )  # fmt: skip


def test_an_adjustment_line_alone_is_divided_over_the_time_by_value(engine: Engine) -> None:
    with engine.begin() as c:
        firm = make_firm(c)
        # At standard: Bo 2 h = 500.00, Ada 1 h = 400.00; a courtesy reduction of -90.01.
        # Bo's part: -90.01 x 500 / 900 = -50.0055..., Ada's -40.0044...: in whole cents that
        # add up to -90.01, -50.01 and -40.00 (either order of the cumulative rounding).
        bill(
            c,
            firm,
            time=[(firm.bo, 120, "250.00"), (firm.ada, 60, "400.00")],
            total="809.99",
            adjustment="-90.01",
        )
    assert realization(engine, firm.tenant) == [
        # 360.00 / 400.00 = 0.9; 449.99 / 500.00 = 0.89998; 809.99 / 900.00 = 0.89999
        ("Ada", D("400.00"), D("-40.00"), D("360.00"), D("400.00"), D("0.900")),
        ("Bo", D("500.00"), D("-50.01"), D("449.99"), D("500.00"), D("0.900")),
        ("Total (firm)", D("900.00"), D("-90.01"), D("809.99"), D("900.00"), D("0.900")),
    ]


def test_an_invoice_discount_alone(engine: Engine) -> None:
    with engine.begin() as c:
        firm = make_firm(c)
        # Ada 2.5 h at standard = 1000.00, 10 % discount: 900.00 billed.
        bill(c, firm, time=[(firm.ada, 150, "400.00")], total="900.00", discount="100.00")
    assert realization(engine, firm.tenant) == [
        ("Ada", D("1000.00"), D("-100.00"), D("900.00"), D("1000.00"), D("0.900")),
        ("Total (firm)", D("1000.00"), D("-100.00"), D("900.00"), D("1000.00"), D("0.900")),
    ]


def all_together(c: Connection) -> Firm:
    """Ada 1.5 h billed at 300.00 (450.00; standard 600.00), Bo 1 h at 250.00 (250.00; standard
    250.00), an expense of 100.00, an adjustment of -35.00 and a discount of 21.00: subtotal
    765.00, total 744.00. Half of it paid (372.00), the rest written off."""
    firm = make_firm(c)
    invoice = bill(
        c,
        firm,
        time=[(firm.ada, 90, "300.00"), (firm.bo, 60, "250.00")],
        total="744.00",
        discount="21.00",
        adjustment="-35.00",
        expense="100.00",
        status="written_off",
    )
    make_payment(
        c, tenant_id=firm.tenant, invoice_id=invoice, amount="372.00", day=date(2024, 3, 9)
    )
    return firm


def test_every_write_down_together(engine: Engine) -> None:
    with engine.begin() as c:
        firm = all_together(c)
    # Write-down -35.00 - 21.00 = -56.00 over 450 : 250 of billed time: Ada -36.00, Bo -20.00.
    # Ada 414.00 / 600.00 = 0.69; Bo 230.00 / 250.00 = 0.92; firm 644.00 / 850.00 = 0.75764.
    assert realization(engine, firm.tenant) == [
        ("Ada", D("450.00"), D("-36.00"), D("414.00"), D("600.00"), D("0.690")),
        ("Bo", D("250.00"), D("-20.00"), D("230.00"), D("250.00"), D("0.920")),
        ("Total (firm)", D("700.00"), D("-56.00"), D("644.00"), D("850.00"), D("0.758")),
    ]
    by_month = realization(engine, firm.tenant, groupBy="month")
    assert by_month[0] == ("2024-02", D("700.00"), D("-56.00"), D("644.00"), D("850.00"),
                           D("0.758"))  # fmt: skip


def test_collection_realization_counts_the_write_off(engine: Engine) -> None:
    with engine.begin() as c:
        firm = all_together(c)
    # Of the 372.00 paid, the time's share is 372.00 x 644.00 / 744.00 = 322.00 (the rest paid
    # the expense); Ada 372 x 414 / 744 = 207.00, Bo 372 x 230 / 744 = 115.00. The 372.00
    # written off is never collected: Ada 207 / 600 = 0.345, Bo 115 / 250 = 0.46,
    # firm 322 / 850 = 0.37882.
    assert collection_realization(engine, firm.tenant) == [
        ("Ada", D("414.00"), D("207.00"), D("600.00"), D("0.345")),
        ("Bo", D("230.00"), D("115.00"), D("250.00"), D("0.460")),
        ("Total (firm)", D("644.00"), D("322.00"), D("850.00"), D("0.379")),
    ]
    by_client = collection_realization(engine, firm.tenant, groupBy="client")
    assert by_client == [
        ("Acme", D("644.00"), D("322.00"), D("850.00"), D("0.379")),
        ("Total (firm)", D("644.00"), D("322.00"), D("850.00"), D("0.379")),
    ]


def test_payments_after_the_period_and_void_invoices_are_not_collected(engine: Engine) -> None:
    with engine.begin() as c:
        firm = make_firm(c)
        late = bill(c, firm, time=[(firm.ada, 60, "400.00")], total="400.00")
        make_payment(
            c, tenant_id=firm.tenant, invoice_id=late, amount="400.00", day=date(2024, 4, 2)
        )
        # Billed time on a void invoice counts at its own rate; the void's discount does not.
        bill(c, firm, time=[(firm.bo, 60, "250.00")], total="200.00", discount="50.00",
             status="void")  # fmt: skip
    assert realization(engine, firm.tenant)[-1] == (
        "Total (firm)", D("650.00"), D("0.00"), D("650.00"), D("650.00"), D("1.000"),
    )  # fmt: skip
    assert collection_realization(engine, firm.tenant)[-1] == (
        "Total (firm)", D("650.00"), D("0.00"), D("650.00"), D("0.000"),
    )  # fmt: skip
    after = collection_realization(engine, firm.tenant, dateTo="2024-04-30")
    assert after[-1] == ("Total (firm)", D("650.00"), D("400.00"), D("650.00"), D("0.615"))


def test_an_invoice_part_in_and_part_out_of_the_period(engine: Engine) -> None:
    with engine.begin() as c:
        firm = make_firm(c)
        # One invoice bills Ada's hour of 31 March and Bo's of 2 April, with a 65.00 discount
        # over 400 : 250 = -40.00 and -25.00. Q1 holds only Ada's hour and its part.
        invoice = bill(c, firm, time=[(firm.ada, 60, "400.00")], total="585.00", discount="65.00",
                       day=date(2024, 3, 31))  # fmt: skip
        make_time_entry(
            c, tenant_id=firm.tenant, timekeeper_id=firm.bo, matter_id=firm.matter,
            day=date(2024, 4, 2), minutes=60, rate="250.00", status="billed", invoice_id=invoice,
        )  # fmt: skip
    assert realization(engine, firm.tenant) == [
        ("Ada", D("400.00"), D("-40.00"), D("360.00"), D("400.00"), D("0.900")),
        ("Total (firm)", D("400.00"), D("-40.00"), D("360.00"), D("400.00"), D("0.900")),
    ]


def test_confidential_time_is_left_out_and_filters_narrow_after_dividing(engine: Engine) -> None:
    with engine.begin() as c:
        firm = all_together(c)
        secret = make_matter(c, tenant_id=firm.tenant, client_id=firm.client, is_confidential=True)
        bill(c, firm, time=[(firm.ada, 60, "400.00")], total="360.00", discount="40.00",
             matter=secret)  # fmt: skip
    hidden = realization(engine, firm.tenant)
    assert hidden[-1] == ("Total (firm)", D("700.00"), D("-56.00"), D("644.00"), D("850.00"),
                          D("0.758"))  # fmt: skip
    seen = export_rows(
        engine, "analytics", firm.tenant, {"metric": "realization", **Q1},
        include_confidential=True,
    )  # fmt: skip
    assert (seen[-1]["billedAmount"], seen[-1]["standardValue"]) == (D("1004.00"), D("1250.00"))
    # Narrowed to Bo, his part of the shared invoice's write-down stays -20.00.
    only_bo = realization(engine, firm.tenant, timekeeperId=firm.bo)
    assert only_bo[0] == ("Bo", D("250.00"), D("-20.00"), D("230.00"), D("250.00"), D("0.920"))
    by_area = realization(engine, firm.tenant, groupBy="practice_area")
    assert [row[0] for row in by_area] == ["Litigation", "Total (firm)"]
