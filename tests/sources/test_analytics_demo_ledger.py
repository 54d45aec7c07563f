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
    # The rows the issue found off by a cent or two, and the firm's total, to the cent.
    assert by_name["Elizabeth Williams"] == (5_280_060, 4_120_110)
    assert by_name["Haddad Logistics Corp."] == (2_561_670, 2_561_670)
    assert (total["invoiced"], total["collected"]) == (Decimal("5099339.50"), Decimal("3935165.12"))


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
    assert totals == {(Decimal("5099339.50"), Decimal("3935165.12"))}
    assert revenue == Decimal("3935165.12")


def test_the_notes_say_the_total_row_is_the_ledgers_total(
    demo_firm: tuple[Engine, str], tmp_path: Path
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
            params={"metric": "collection", "groupBy": "practice_area", **YEAR},
            requested_by="tester",
        )
        path = tmp_path / f"collection{planned.file_extension}"
        run_export(engine, planned.plan, planned.writer, path)
        texts[format_name] = path.read_bytes()
    info = {row[0]: row[1] for row in xlsx_sheets(texts["excel"])["Export info"] if row}
    assert TOTAL_NOTE in str(info["Note 3"])
    first_page = " ".join(pdf_pages(texts["pdf"])[0].split())
    assert TOTAL_NOTE in first_page
