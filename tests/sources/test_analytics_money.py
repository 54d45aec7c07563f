"""Analytics over invoices and payments: collection, aging, profitability, effective rate.

Every expected figure is worked out here by hand, in the comments, from the rows inserted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

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
PERIOD = {"dateFrom": "2024-01-01", "dateTo": "2024-04-30"}


def test_collection_with_partial_payments_by_client_and_practice_area(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        lit = make_practice_area(c, tenant_id=tenant, name="Litigation")
        corp = make_practice_area(c, tenant_id=tenant, name="Corporate")
        xco = make_client(c, tenant_id=tenant, name="X Co")
        yco = make_client(c, tenant_id=tenant, name="Y Co")
        suit = make_matter(c, tenant_id=tenant, client_id=xco, practice_area_id=lit)
        deal = make_matter(c, tenant_id=tenant, client_id=xco, practice_area_id=corp)
        loose = make_matter(c, tenant_id=tenant, client_id=yco)

        def invoice(client: str, total: str, **kw: object) -> str:
            return make_invoice(
                c,
                tenant_id=tenant,
                client_id=client,
                total=total,
                issue_date=date(2024, 2, 1),
                **kw,  # type: ignore[arg-type]
            )

        def line(invoice_id: str, matter: str, amount: str) -> None:
            make_line_item(
                c, tenant_id=tenant, invoice_id=invoice_id, matter_id=matter, amount=amount
            )

        def pay(invoice_id: str, amount: str, day: date) -> None:
            make_payment(c, tenant_id=tenant, invoice_id=invoice_id, amount=amount, day=day)

        first = invoice(xco, "1000.00", status="partially_paid")
        line(first, suit, "600.00")
        line(first, deal, "400.00")
        pay(first, "400.00", date(2024, 3, 1))
        pay(first, "100.00", date(2024, 5, 10))  # after the period: not yet collected
        second = invoice(xco, "500.50", status="paid")
        line(second, suit, "500.50")
        pay(second, "500.50", date(2024, 2, 20))
        written_off = invoice(yco, "300.00", status="written_off")
        line(written_off, loose, "300.00")
        invoice(xco, "999.00", status="void")
        invoice(xco, "999.00", status="draft")
        make_invoice(
            c, tenant_id=tenant, client_id=xco, total="999.00", issue_date=date(2023, 12, 31)
        )
        deleted = invoice(yco, "999.00", is_deleted=True)
        pay(deleted, "999.00", date(2024, 3, 1))
    by_client = export_rows(engine, "analytics", tenant, {"metric": "collection", **PERIOD})
    assert [
        (r["client"], r["collected"], r["invoiced"], r["collectionRate"]) for r in by_client
    ] == [
        ("X Co", D("900.50"), D("1500.50"), D("0.600")),  # 900.50 / 1500.50 = 0.60013
        ("Y Co", D("0.00"), D("300.00"), D("0.000")),
        ("Total (firm)", D("900.50"), D("1800.50"), D("0.500")),  # 0.50014
    ]
    params = {"metric": "collection", "groupBy": "practice_area", **PERIOD}
    by_area = export_rows(engine, "analytics", tenant, params)
    # The first invoice is 600/1000 Litigation, 400/1000 Corporate: of its 400.00 collected,
    # 240.00 and 160.00. Litigation: 600.00 + 500.50 invoiced, 240.00 + 500.50 collected.
    assert [
        (r["practiceArea"], r["collected"], r["invoiced"], r["collectionRate"]) for r in by_area
    ] == [
        ("(none)", D("0.00"), D("300.00"), D("0.000")),
        ("Corporate", D("160.00"), D("400.00"), D("0.400")),
        ("Litigation", D("740.50"), D("1100.50"), D("0.673")),  # 0.67288
        ("Total (firm)", D("900.50"), D("1800.50"), D("0.500")),
    ]


def test_collection_hides_confidential_matters_shares(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        client = make_client(c, tenant_id=tenant, name="X Co")
        open_matter = make_matter(c, tenant_id=tenant, client_id=client)
        secret = make_matter(c, tenant_id=tenant, client_id=client, is_confidential=True)
        bill = make_invoice(
            c, tenant_id=tenant, client_id=client, total="90.00", issue_date=date(2024, 2, 1)
        )
        make_line_item(c, tenant_id=tenant, invoice_id=bill, matter_id=open_matter, amount="30.00")
        make_line_item(c, tenant_id=tenant, invoice_id=bill, matter_id=secret, amount="60.00")
        make_payment(c, tenant_id=tenant, invoice_id=bill, amount="45.00", day=date(2024, 3, 1))
    params = {"metric": "collection", **PERIOD}
    hidden = export_rows(engine, "analytics", tenant, params)
    # Only the open matter's third: 30.00 invoiced, 15.00 collected
    assert [(r["client"], r["collected"], r["invoiced"]) for r in hidden] == [
        ("X Co", D("15.00"), D("30.00")),
        ("Total (firm)", D("15.00"), D("30.00")),
    ]
    seen = export_rows(engine, "analytics", tenant, params, include_confidential=True)
    assert [(r["client"], r["collected"], r["invoiced"]) for r in seen] == [
        ("X Co", D("45.00"), D("90.00")),
        ("Total (firm)", D("45.00"), D("90.00")),
    ]


def test_aging_puts_each_invoice_in_its_bucket_on_the_last_day(engine: Engine) -> None:
    as_of = date(2024, 6, 30)
    with engine.begin() as c:
        tenant = make_tenant(c)
        client = make_client(c, tenant_id=tenant, name="X Co")

        def invoice(due: date, total: str, **kw: object) -> str:
            return make_invoice(
                c,
                tenant_id=tenant,
                client_id=client,
                issue_date=date(2024, 1, 15),
                due_date=due,
                total=total,
                **kw,  # type: ignore[arg-type]
            )

        def pay(invoice_id: str, amount: str, day: date) -> None:
            make_payment(c, tenant_id=tenant, invoice_id=invoice_id, amount=amount, day=day)

        invoice(date(2024, 7, 15), "100.00")  # not yet due: current
        invoice(as_of, "50.00")  # due that very day: 0 days past due, current
        partly = invoice(date(2024, 6, 1), "200.00", status="partially_paid")  # 29 days
        pay(partly, "50.00", date(2024, 6, 10))  # 150.00 open
        invoice(date(2024, 5, 31), "10.00")  # 30 days: still 1-30
        invoice(date(2024, 5, 15), "300.00")  # 46 days
        later = invoice(date(2024, 4, 15), "400.00", status="paid", balance="0.00")  # 76 days
        pay(later, "400.00", date(2024, 7, 5))  # paid after the day: open on it
        invoice(date(2024, 3, 15), "500.00")  # 107 days
        invoice(date(2024, 2, 15), "600.00")  # 136 days (2024 is leap)
        settled = invoice(date(2024, 2, 15), "700.00", status="paid", balance="0.00")
        pay(settled, "700.00", date(2024, 3, 1))  # nothing open
        invoice(date(2024, 2, 15), "800.00", status="written_off")
        invoice(date(2024, 2, 15), "900.00", status="void")
    params = {"metric": "ar_aging", "dateFrom": "2024-01-01", "dateTo": as_of.isoformat()}
    rows = export_rows(engine, "analytics", tenant, params)
    assert [r["client"] for r in rows] == ["X Co", "Total (firm)"]
    row = rows[0]
    assert [
        row[name]
        for name in ("current", "days1To30", "days31To60", "days61To90", "days91To120", "over120")
    ] == [D("150.00"), D("160.00"), D("300.00"), D("400.00"), D("500.00"), D("600.00")]
    # open 2110.00, past due 1960.00: 1960 / 2110 = 0.92891
    assert (row["pastDue"], row["openBalance"], row["pastDueShare"]) == (
        D("1960.00"),
        D("2110.00"),
        D("0.929"),
    )
    firm = export_rows(engine, "analytics", tenant, {**params, "groupBy": "firm"})
    assert [(r["firm"], r["openBalance"], r["pastDueShare"]) for r in firm] == [
        ("Firm", D("2110.00"), D("0.929"))
    ]


def test_profitability_and_effective_rate_with_cost_rates(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        ada = make_timekeeper(c, tenant_id=tenant, name="Ada", cost_rate="150.00")
        bo = make_timekeeper(c, tenant_id=tenant, name="Bo", cost_rate="80.00")
        client = make_client(c, tenant_id=tenant, name="Acme")
        won = make_matter(c, tenant_id=tenant, client_id=client, matter_number="M-1", name="Won")
        idle = make_matter(c, tenant_id=tenant, client_id=client, matter_number="M-2", name="Idle")
        bill = make_invoice(
            c,
            tenant_id=tenant,
            client_id=client,
            total="1200.00",
            issue_date=date(2024, 3, 1),
            status="partially_paid",
        )
        make_line_item(c, tenant_id=tenant, invoice_id=bill, matter_id=won, amount="1100.00")
        make_payment(c, tenant_id=tenant, invoice_id=bill, amount="1000.00", day=date(2024, 4, 1))

        def work(person: str, matter: str, minutes: int, **kw: object) -> None:
            make_time_entry(
                c,
                tenant_id=tenant,
                timekeeper_id=person,
                matter_id=matter,
                day=date(2024, 2, 15),
                minutes=minutes,
                rate="200.00",
                **kw,  # type: ignore[arg-type]
            )

        work(ada, won, 240, status="billed", invoice_id=bill)  # 800.00 billed; cost 600.00
        work(bo, won, 90, status="billed", invoice_id=bill)  # 300.00 billed; cost 120.00
        work(ada, idle, 60)  # cost 150.00, never billed
    profit = export_rows(engine, "analytics", tenant, {"metric": "matter_profitability", **PERIOD})
    assert [
        (
            r["matter"],
            r["hoursWorked"],
            r["laborCost"],
            r["profit"],
            r["revenueCollected"],
            r["margin"],
        )
        for r in profit
    ] == [
        ("M-1 Won", D("5.50"), D("720.00"), D("280.00"), D("1000.00"), D("0.280")),
        ("M-2 Idle", D("1.00"), D("150.00"), D("-150.00"), D("0.00"), None),  # no revenue
        ("Total (firm)", D("6.50"), D("870.00"), D("130.00"), D("1000.00"), D("0.130")),
    ]
    by_matter = export_rows(
        engine, "analytics", tenant, {"metric": "effective_rate", "groupBy": "matter", **PERIOD}
    )
    # 1000.00 / 5.5 h = 181.818; 0 / 1 h; firm 1000.00 / 6.5 h = 153.846
    assert [(r["matter"], r["effectiveRate"]) for r in by_matter] == [
        ("M-1 Won", D("181.82")),
        ("M-2 Idle", D("0.00")),
        ("Total (firm)", D("153.85")),
    ]
    by_person = export_rows(engine, "analytics", tenant, {"metric": "effective_rate", **PERIOD})
    # The 1000.00 collected is credited through the billed time: Ada 800/1100 = 727.2727,
    # Bo 300/1100 = 272.7272; Ada worked 5 h (145.454/h), Bo 1.5 h (181.818/h)
    assert [
        (r["timekeeper"], r["collected"], r["hoursWorked"], r["effectiveRate"]) for r in by_person
    ] == [
        ("Ada", D("727.27"), D("5.00"), D("145.45")),
        ("Bo", D("272.73"), D("1.50"), D("181.82")),
        ("Total (firm)", D("1000.00"), D("6.50"), D("153.85")),
    ]
