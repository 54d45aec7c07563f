"""The default demo firm's money behaves like a law firm's (issue 20).

Some hourly matters are billed at rates agreed below standard, some invoices are written down
at review or carry a client's discount, a few are written off, some clients pay late; so over
the demo's whole history (its books stand on 2026-01-15) firm-wide billing realization is
between 85 and 95 %, collection realization and collection between 85 and 97 %, and
utilization differs from one timekeeper to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import AS_OF, PERIOD_START, DemoSize, load_demo_data
from smarter_export.domain.schema import upgrade
from tests.sources.support import export_rows

HISTORY = {"dateFrom": PERIOD_START.isoformat(), "dateTo": AS_OF.isoformat()}


@pytest.fixture(scope="module")
def default_firm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, str]]:
    path: Path = tmp_path_factory.mktemp("default") / "firm.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo_data(engine, DemoSize(tenants=1))  # the default size and seed, as `make run`
    with engine.connect() as connection:
        tenant = connection.execute(text("SELECT id FROM tenant")).scalar_one()
    yield engine, tenant
    engine.dispose()


def firm_figure(engine: Engine, tenant: str, metric: str, column: str) -> Decimal:
    rows = export_rows(
        engine, "analytics", tenant, {"metric": metric, **HISTORY}, include_confidential=True
    )
    value = rows[-1][column]
    assert isinstance(value, Decimal)
    return value


def test_realization_and_collection_land_where_firms_do(default_firm: tuple[Engine, str]) -> None:
    engine, tenant = default_firm
    billing = firm_figure(engine, tenant, "realization", "realization")
    collection_realization = firm_figure(
        engine, tenant, "collection_realization", "collectionRealization"
    )
    collection = firm_figure(engine, tenant, "collection", "collectionRate")
    assert Decimal("0.85") <= billing <= Decimal("0.95")
    assert Decimal("0.85") <= collection_realization <= Decimal("0.97")
    assert Decimal("0.85") <= collection <= Decimal("0.97")
    assert collection_realization < billing  # some of what was billed is never collected


def test_utilization_differs_by_timekeeper(default_firm: tuple[Engine, str]) -> None:
    engine, tenant = default_firm
    rows = export_rows(engine, "analytics", tenant, {"metric": "utilization", **HISTORY})
    ratios = [r["utilization"] for r in rows[:-1] if isinstance(r["utilization"], Decimal)]
    assert len(ratios) >= 6
    assert max(ratios) - min(ratios) > Decimal("0.5")


def test_every_kind_of_write_down_and_payer_is_there(default_firm: tuple[Engine, str]) -> None:
    engine, _ = default_firm
    checks = {
        "time at an agreed rate below standard": "SELECT count(*) FROM time_entry e"
        " JOIN timekeeper t ON t.id = e.timekeeper_id WHERE e.status = 'billed'"
        " AND e.rate < t.rate",
        "invoices written down at review": "SELECT count(DISTINCT invoice_id)"
        " FROM invoice_line_item WHERE type = 'adjustment' AND amount < 0",
        "invoices with a client's discount": "SELECT count(*) FROM invoice WHERE discount > 0",
        "invoices written off": "SELECT count(*) FROM invoice WHERE status = 'written_off'",
        "payments over 90 days after issue": "SELECT count(*) FROM payment p"
        " JOIN invoice i ON i.id = p.invoice_id"
        " WHERE julianday(p.payment_date) - julianday(i.issue_date) > 90",
    }
    with engine.connect() as connection:
        found = {name: connection.execute(text(sql)).scalar_one() for name, sql in checks.items()}
    assert all(count > 3 for count in found.values()), found
