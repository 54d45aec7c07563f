"""Analytics over recorded time: utilization, billable mix, realization, on hand-built firms.

Every expected figure is worked out here by hand, in the comments, from the rows inserted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Engine

from tests.factories import (
    make_client,
    make_matter,
    make_practice_area,
    make_tenant,
    make_time_entry,
    make_timekeeper,
)
from tests.sources.support import export_rows

D = Decimal
Q1 = {"dateFrom": "2024-01-01", "dateTo": "2024-03-31"}  # 31 + 29 + 31 = 91 days (2024 is leap)


def _by_group(rows: list[dict[str, object]], column: str) -> dict[object, dict[str, object]]:
    return {row[column]: row for row in rows}


def _utilization_firm(c: Connection) -> tuple[str, str]:
    tenant = make_tenant(c)
    area = make_practice_area(c, tenant_id=tenant, name="Litigation")
    ada = make_timekeeper(
        c, tenant_id=tenant, name="Ada", annual_target_hours=1800, practice_area_id=area
    )
    make_timekeeper(c, tenant_id=tenant, name="Bea", annual_target_hours=1000)  # no time
    make_timekeeper(c, tenant_id=tenant, name="Cy", status="inactive")  # left, no time: not counted
    make_timekeeper(c, tenant_id=tenant, name="Del", is_deleted=True)
    client = make_client(c, tenant_id=tenant)
    matter = make_matter(c, tenant_id=tenant, client_id=client)
    secret = make_matter(c, tenant_id=tenant, client_id=client, is_confidential=True)

    def entry(day: date, minutes: int, **kw: object) -> None:
        make_time_entry(
            c,
            tenant_id=tenant,
            timekeeper_id=ada,
            matter_id=kw.pop("matter_id", matter),  # type: ignore[arg-type]
            day=day,
            minutes=minutes,
            **kw,  # type: ignore[arg-type]
        )

    entry(date(2024, 1, 10), 6000)  # 100 h billable in January
    entry(date(2024, 3, 10), 6000)  # 100 h billable in March
    entry(date(2024, 3, 11), 600, billable_status="non_billable")  # not billable
    entry(date(2024, 3, 12), 600, is_deleted=True)  # deleted
    entry(date(2024, 4, 1), 600)  # after the period
    entry(date(2024, 2, 1), 1200, matter_id=secret)  # 20 h on a confidential matter
    other = make_tenant(c)
    other_tk = make_timekeeper(c, tenant_id=other)
    other_matter = make_matter(c, tenant_id=other, client_id=make_client(c, tenant_id=other))
    make_time_entry(c, tenant_id=other, timekeeper_id=other_tk, matter_id=other_matter)
    return tenant, ada


def test_utilization_prorates_the_annual_target_by_days(engine: Engine) -> None:
    with engine.begin() as c:
        tenant, _ = _utilization_firm(c)
    rows = export_rows(engine, "analytics", tenant, {"metric": "utilization", **Q1})
    assert [r["timekeeper"] for r in rows] == ["Ada", "Bea", "Total (firm)"]
    ada, bea, total = rows
    # Ada: 200 h billable; target 1800 x 91 / 365 = 448.767... h; 200 / 448.767 = 0.44566
    assert (ada["billableHours"], ada["targetHours"], ada["utilization"]) == (
        D("200.00"),
        D("448.77"),
        D("0.446"),
    )
    # Bea: active, no time: 1000 x 91 / 365 = 249.315 h, utilization 0
    assert (bea["billableHours"], bea["targetHours"], bea["utilization"]) == (
        D("0.00"),
        D("249.32"),
        D("0.000"),
    )
    # Firm: 200 / (2800 x 91 / 365 = 698.082) = 0.286499...: rounded from the exact sums
    assert (total["billableHours"], total["targetHours"], total["utilization"]) == (
        D("200.00"),
        D("698.08"),
        D("0.286"),
    )


def test_utilization_by_month_uses_each_months_days(engine: Engine) -> None:
    with engine.begin() as c:
        tenant, ada = _utilization_firm(c)
    params = {"metric": "utilization", "groupBy": "month", "timekeeperId": ada, **Q1}
    rows = _by_group(export_rows(engine, "analytics", tenant, params), "month")
    # January: 1800 x 31 / 365 = 152.877 h; 100 / 152.877 = 0.65412
    assert (rows["2024-01"]["targetHours"], rows["2024-01"]["utilization"]) == (
        D("152.88"),
        D("0.654"),
    )
    # February: 1800 x 29 / 365 = 143.014 h, no billable time (the confidential 20 h is hidden)
    assert (rows["2024-02"]["billableHours"], rows["2024-02"]["targetHours"]) == (
        D("0.00"),
        D("143.01"),
    )
    assert rows["2024-03"]["utilization"] == D("0.654")
    assert (rows["Total (firm)"]["targetHours"], rows["Total (firm)"]["utilization"]) == (
        D("448.77"),
        D("0.446"),
    )
    seen = export_rows(engine, "analytics", tenant, params, include_confidential=True)
    # With the permission, February's 20 h count: 20 / 143.014 = 0.13985
    assert _by_group(seen, "month")["2024-02"]["utilization"] == D("0.140")


def test_ratios_over_zero_are_empty(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        make_timekeeper(c, tenant_id=tenant, name="Staff", annual_target_hours=0)
        idle = make_timekeeper(c, tenant_id=tenant, name="Idle")
        matter = make_matter(c, tenant_id=tenant, client_id=make_client(c, tenant_id=tenant))
        make_time_entry(c, tenant_id=tenant, timekeeper_id=idle, matter_id=matter, minutes=0)
    utilization = export_rows(engine, "analytics", tenant, {"metric": "utilization", **Q1})
    staff = _by_group(utilization, "timekeeper")["Staff"]
    assert (staff["targetHours"], staff["utilization"]) == (D("0.00"), None)
    mix = export_rows(engine, "analytics", tenant, {"metric": "billable_mix", **Q1})
    # Idle recorded one entry of zero minutes: 0 billable / 0 recorded hours is empty
    assert [(r["timekeeper"], r["recordedHours"], r["billableMix"]) for r in mix] == [
        ("Idle", D("0.00"), None),
        ("Total (firm)", D("0.00"), None),
    ]
    rate = export_rows(engine, "analytics", tenant, {"metric": "effective_rate", **Q1})
    assert [(r["timekeeper"], r["effectiveRate"]) for r in rate] == [
        ("Idle", None),
        ("Total (firm)", None),
    ]


def test_billable_mix_by_practice_area_of_the_matter(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        lit = make_practice_area(c, tenant_id=tenant, name="Litigation")
        ada = make_timekeeper(c, tenant_id=tenant, name="Ada")
        client = make_client(c, tenant_id=tenant)
        case_matter = make_matter(c, tenant_id=tenant, client_id=client, practice_area_id=lit)
        loose = make_matter(c, tenant_id=tenant, client_id=client)
        for matter, minutes, status in (
            (case_matter, 90, "billable"),
            (case_matter, 30, "no_charge"),
            (case_matter, 60, "non_billable"),
            (loose, 45, "billable"),
        ):
            make_time_entry(
                c,
                tenant_id=tenant,
                timekeeper_id=ada,
                matter_id=matter,
                day=date(2024, 2, 1),
                minutes=minutes,
                billable_status=status,
            )
    params = {"metric": "billable_mix", "groupBy": "practice_area", **Q1}
    rows = export_rows(engine, "analytics", tenant, params)
    assert [
        (r["practiceArea"], r["billableHours"], r["recordedHours"], r["billableMix"]) for r in rows
    ] == [
        ("(none)", D("0.75"), D("0.75"), D("1.000")),  # 45 of 45 minutes
        ("Litigation", D("1.50"), D("3.00"), D("0.500")),  # 90 of 180 minutes
        ("Total (firm)", D("2.25"), D("3.75"), D("0.600")),  # 135 of 225 minutes
    ]


def test_realization_counts_write_downs(engine: Engine) -> None:
    with engine.begin() as c:
        tenant = make_tenant(c)
        ada = make_timekeeper(c, tenant_id=tenant, name="Ada", rate="400.00")
        bo = make_timekeeper(c, tenant_id=tenant, name="Bo", rate="250.00")
        client = make_client(c, tenant_id=tenant, name="Acme")
        first = make_matter(c, tenant_id=tenant, client_id=client, matter_number="M-1", name="One")
        second = make_matter(c, tenant_id=tenant, client_id=client, matter_number="M-2", name="Two")

        def billed(person: str, matter: str, minutes: int, rate: str, **kw: object) -> None:
            make_time_entry(
                c,
                tenant_id=tenant,
                timekeeper_id=person,
                matter_id=matter,
                day=date(2024, 2, 1),
                minutes=minutes,
                rate=rate,
                **{"status": "billed", **kw},  # type: ignore[arg-type]
            )

        billed(ada, first, 90, "300.00")  # written down: 450.00 billed of 600.00 standard
        billed(ada, first, 60, "400.00")  # 400.00 of 400.00
        billed(bo, second, 120, "250.00")  # 500.00 of 500.00
        billed(bo, second, 60, "100.00", status="approved")  # not billed: not counted
    by_timekeeper = export_rows(engine, "analytics", tenant, {"metric": "realization", **Q1})
    assert [
        (r["timekeeper"], r["billedAmount"], r["standardValue"], r["realization"])
        for r in by_timekeeper
    ] == [
        ("Ada", D("850.00"), D("1000.00"), D("0.850")),
        ("Bo", D("500.00"), D("500.00"), D("1.000")),
        ("Total (firm)", D("1350.00"), D("1500.00"), D("0.900")),
    ]
    by_matter = export_rows(
        engine, "analytics", tenant, {"metric": "realization", "groupBy": "matter", **Q1}
    )
    assert [(r["matter"], r["realization"]) for r in by_matter] == [
        ("M-1 One", D("0.850")),
        ("M-2 Two", D("1.000")),
        ("Total (firm)", D("0.900")),
    ]
