"""The demo firm's analytics tie out to plain SQL over its books, on SQLite and PostgreSQL.

The firm of issue 19 (30,000 time entries, seed 3): its collection by client for 2025,
confidential matters included, must equal row by row what a finance clerk gets by summing
invoices and payments straight from the database; so must the firm's total row. The notes the
info sheet and the PDF print under the title say the total row is the ledger's own total.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize, load_demo_data
from smarter_export.domain.schema import upgrade
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.plan import plan_export
from smarter_export.settings import Settings
from tests.conftest import DATABASES
from tests.readers import pdf_pages, xlsx_sheets
from tests.servers.postgres import PostgresServer
from tests.sources.support import export_rows

FIRM = DemoSize(tenants=1, time_entries=30_000, seed=3)
YEAR = {"dateFrom": "2025-01-01", "dateTo": "2025-12-31"}
TOTAL_NOTE = "The total row is the period's total from the ledger itself"
LEDGER_TOTAL = (Decimal("5360378.48"), Decimal("4995108.23"))  # invoiced, collected in 2025

# Plain SQL, as a clerk would write it: invoices issued in 2025 that were sent (not draft or
# void, not deleted), and the payments to them dated in 2025, in whole cents.
LEDGER_BY_CLIENT = """
SELECT c.id, c.name,
       SUM(CAST(ROUND(i.total * 100) AS INTEGER)) AS invoiced,
       SUM(COALESCE(p.paid, 0)) AS collected
FROM invoice i
JOIN client c ON c.id = i.client_id
LEFT JOIN (
    SELECT invoice_id, SUM(CAST(ROUND(amount * 100) AS INTEGER)) AS paid
    FROM payment
    WHERE NOT is_deleted AND payment_date <= '2025-12-31'
    GROUP BY invoice_id
) p ON p.invoice_id = i.id
WHERE i.tenant_id = :tenant AND NOT i.is_deleted AND NOT c.is_deleted
  AND i.status IN ('sent', 'paid', 'partially_paid', 'written_off')
  AND i.issue_date BETWEEN '2025-01-01' AND '2025-12-31'
GROUP BY c.id, c.name
"""


@pytest.fixture(scope="module", params=DATABASES)
def demo_firm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, str]]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'firm.db'}")
        upgrade(engine)
        load_demo_data(engine, FIRM)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.demo_template(
            "ledger_demo", migrated=request.getfixturevalue("migrated_pg_template"), size=FIRM
        )
        engine = make_engine(server.url(name))
    with engine.connect() as connection:
        tenant = connection.execute(text("SELECT id FROM tenant WHERE subdomain = 'demo'"))
        tenant_id = tenant.scalar_one()
    yield engine, tenant_id
    engine.dispose()


def cents(value: object) -> int:
    assert isinstance(value, Decimal)
    return int(value * 100)


def test_collection_by_client_ties_out_row_by_row_to_plain_sql(
    demo_firm: tuple[Engine, str],
) -> None:
    engine, tenant = demo_firm
    with engine.connect() as connection:
        ledger = {
            (client_id, name): (int(invoiced), int(collected))
            for client_id, name, invoiced, collected in connection.execute(
                text(LEDGER_BY_CLIENT), {"tenant": tenant}
            )
        }
    columns = ["client", "invoiced", "collected", "groupId"]
    params = {"metric": "collection", "columns": columns, **YEAR}
    rows = export_rows(engine, "analytics", tenant, params, include_confidential=True)
    *clients, total = rows
    exported = {
        (r["groupId"], r["client"]): (cents(r["invoiced"]), cents(r["collected"])) for r in clients
    }
    assert len(exported) == len(clients) > 80
    assert exported == ledger
    by_name = {name: figures for (_, name), figures in exported.items()}
    assert total["client"] == "Total (firm)"
    assert (cents(total["invoiced"]), cents(total["collected"])) == (
        sum(invoiced for invoiced, _ in ledger.values()),
        sum(collected for _, collected in ledger.values()),
    )
    # The rows the issue found off by a cent or two, and the firm's total, to the cent (the
    # ledger's figures since the demo firm's pricing of issue 20).
    assert by_name["Elizabeth Williams"] == (5_439_881, 4_900_519)
    assert by_name["Haddad Logistics Corp."] == (4_863_227, 4_863_227)
    assert (total["invoiced"], total["collected"]) == LEDGER_TOTAL


def test_every_grouping_of_collection_has_the_ledgers_total(demo_firm: tuple[Engine, str]) -> None:
    engine, tenant = demo_firm
    totals = set()
    for grouping in ("client", "practice_area", "month", "firm"):
        params = {"metric": "collection", "groupBy": grouping, **YEAR}
        rows = export_rows(engine, "analytics", tenant, params, include_confidential=True)
        totals.add((rows[-1]["invoiced"], rows[-1]["collected"]))
    revenue = export_rows(
        engine,
        "analytics",
        tenant,
        {"metric": "matter_profitability", **YEAR},
        include_confidential=True,
    )[-1]["revenueCollected"]
    assert totals == {LEDGER_TOTAL}
    assert revenue == LEDGER_TOTAL[1]


@pytest.mark.parametrize(
    ("metric", "definition"),
    [
        ("collection", "Collection = amount collected / amount invoiced"),
        ("realization", "Billing realization = billed amount / standard value"),
        ("collection_realization", "Collection realization = collected / standard value"),
    ],
)
def test_the_notes_define_the_metric_and_the_total_row(
    demo_firm: tuple[Engine, str], tmp_path: Path, metric: str, definition: str
) -> None:
    engine, _ = demo_firm
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    texts = {}
    for format_name in ("excel", "pdf"):
        planned = plan_export(
            Settings(data_dir=tmp_path),
            firm=firm,
            source_name="analytics",
            format_name=format_name,
            params={"metric": metric, "groupBy": "practice_area", **YEAR},
            requested_by="tester",
        )
        path = tmp_path / f"{metric}{planned.file_extension}"
        run_export(engine, planned, path)
        texts[format_name] = path.read_bytes()
    info = {row[0]: row[1] for row in xlsx_sheets(texts["excel"])["Export info"] if row}
    assert str(info["Note 1"]).startswith(definition)
    assert "Leaves out" in str(info["Note 1"]) or metric == "collection"
    assert TOTAL_NOTE in str(info["Note 3"])
    first_page = " ".join(pdf_pages(texts["pdf"])[0].split())
    assert definition in first_page
    assert TOTAL_NOTE in first_page


# Billed time dated in 2025 per timekeeper: minutes at the standard rate and at the billed rate,
# in cent-minutes.
TIME_BY_TIMEKEEPER = """
SELECT t.id,
       SUM(e.duration_minutes * CAST(ROUND(t.rate * 100) AS INTEGER)) AS standard,
       SUM(e.duration_minutes * CAST(ROUND(e.rate * 100) AS INTEGER)) AS at_rate
FROM time_entry e
JOIN timekeeper t ON t.id = e.timekeeper_id
WHERE e.tenant_id = :tenant AND NOT e.is_deleted AND e.status = 'billed'
  AND e.date BETWEEN '2025-01-01' AND '2025-12-31'
GROUP BY t.id
"""
# Per issued invoice billing that time (the demo bills each month's work on one invoice, so all
# of an invoice's time is in the year or none): its total, its write-down (adjustment lines -
# discount), the payments to it dated in 2025, and its time at billed rates, in cents and
# cent-minutes.
INVOICES_OF_THE_TIME = """
SELECT CAST(ROUND(i.total * 100) AS INTEGER),
       COALESCE((SELECT SUM(CAST(ROUND(l.amount * 100) AS INTEGER)) FROM invoice_line_item l
                 WHERE l.invoice_id = i.id AND l.type = 'adjustment' AND NOT l.is_deleted), 0)
         - CAST(ROUND(i.discount * 100) AS INTEGER),
       COALESCE((SELECT SUM(CAST(ROUND(p.amount * 100) AS INTEGER)) FROM payment p
                 WHERE p.invoice_id = i.id AND NOT p.is_deleted
                   AND p.payment_date <= '2025-12-31'), 0),
       (SELECT SUM(e.duration_minutes * CAST(ROUND(e.rate * 100) AS INTEGER)) FROM time_entry e
        WHERE e.invoice_id = i.id AND e.status = 'billed' AND NOT e.is_deleted)
FROM invoice i
WHERE i.tenant_id = :tenant AND NOT i.is_deleted
  AND i.status IN ('sent', 'paid', 'partially_paid', 'written_off')
  AND i.id IN (SELECT invoice_id FROM time_entry WHERE tenant_id = :tenant AND status = 'billed'
               AND NOT is_deleted AND date BETWEEN '2025-01-01' AND '2025-12-31')
"""


def half_away_from_zero(numerator: int, denominator: int) -> int:
    magnitude = (abs(numerator) * 2 + abs(denominator)) // (abs(denominator) * 2)
    return -magnitude if (numerator < 0) != (denominator < 0) else magnitude


def test_realization_ties_out_to_plain_sql_over_time_and_invoice_lines(
    demo_firm: tuple[Engine, str],
) -> None:
    engine, tenant = demo_firm
    with engine.connect() as connection:
        time = {
            person: (int(standard), int(at_rate))
            for person, standard, at_rate in connection.execute(
                text(TIME_BY_TIMEKEEPER), {"tenant": tenant}
            )
        }
        invoices = [
            tuple(int(value) for value in row)
            for row in connection.execute(text(INVOICES_OF_THE_TIME), {"tenant": tenant})
        ]
    write_downs = sum(write_down for _, write_down, _, _ in invoices)
    # Each invoice's payments are credited to its time by the time's share of its total.
    collected = sum(
        half_away_from_zero(paid * (at_rate + 60 * write_down), 60 * total)
        for total, write_down, paid, at_rate in invoices
    )
    columns = ["timekeeper", "groupId", "atBilledRates", "invoiceWriteDowns", "billedAmount",
               "standardValue", "realization"]  # fmt: skip
    *people, firm = export_rows(
        engine, "analytics", tenant, {"metric": "realization", "columns": columns, **YEAR},
        include_confidential=True,
    )  # fmt: skip
    assert {row["groupId"] for row in people} == set(time)
    for row in people:
        standard, at_rate = time[str(row["groupId"])]
        assert cents(row["standardValue"]) == half_away_from_zero(standard, 60)
        assert cents(row["atBilledRates"]) == half_away_from_zero(at_rate, 60)
    # The write-downs' parts add up to the invoices' write-downs, to the cent.
    assert sum(cents(row["invoiceWriteDowns"]) for row in people) == write_downs
    assert cents(firm["invoiceWriteDowns"]) == write_downs
    all_standard = sum(standard for standard, _ in time.values())
    all_at_rate = sum(at_rate for _, at_rate in time.values())
    billed = all_at_rate + 60 * write_downs
    assert cents(firm["billedAmount"]) == half_away_from_zero(billed, 60)
    assert firm["realization"] == Decimal(half_away_from_zero(billed * 1000, all_standard)) / 1000
    assert Decimal("0.85") < firm["realization"] < Decimal("0.95")  # type: ignore[operator]

    *rows, firm = export_rows(
        engine, "analytics", tenant, {"metric": "collection_realization", **YEAR},
        include_confidential=True,
    )  # fmt: skip
    assert sum(cents(row["collected"]) for row in rows) == cents(firm["collected"]) == collected
    assert firm["collectionRealization"] == (
        Decimal(half_away_from_zero(collected * 60 * 1000, all_standard)) / 1000
    )


def test_some_timekeepers_are_over_their_target_and_some_under(
    demo_firm: tuple[Engine, str],
) -> None:
    engine, tenant = demo_firm
    rows = export_rows(engine, "analytics", tenant, {"metric": "utilization", **YEAR})
    ratios = [r["utilization"] for r in rows[:-1] if isinstance(r["utilization"], Decimal)]
    assert max(ratios) > 1 and min(ratios) < Decimal("0.5")
