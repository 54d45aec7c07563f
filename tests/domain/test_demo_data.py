"""The demo-data generator: deterministic, sized as asked, tenant-tight and arithmetically exact."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from smarter_export.domain import demo_data, tables
from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import (
    DemoSize,
    DemoSummary,
    database_is_empty,
    load_demo_data,
    uuid4_text,
)
from smarter_export.domain.demo_firm import (
    HOSTILE_CLIENT_NAME,
    HOSTILE_MATTER_DESCRIPTIONS,
    HOSTILE_TIME_ENTRY_DESCRIPTION,
)
from smarter_export.domain.schema import upgrade

SIZE = DemoSize(tenants=2, time_entries=3_000, seed=7)
MAIN_TABLES = ("timekeeper", "client", "matter", "time_entry", "invoice")
# child table, column, parent table: every reference the generator writes.
REFERENCES = (
    ("practice_area", "tenant_id", "tenant"),
    ("timekeeper", "practice_area_id", "practice_area"),
    ("timekeeper_specialty", "timekeeper_id", "timekeeper"),
    ("client", "primary_attorney_id", "timekeeper"),
    ("matter", "client_id", "client"),
    ("matter", "practice_area_id", "practice_area"),
    ("matter", "responsible_attorney_id", "timekeeper"),
    ("matter", "originating_attorney_id", "timekeeper"),
    ("time_entry", "timekeeper_id", "timekeeper"),
    ("time_entry", "matter_id", "matter"),
    ("time_entry", "invoice_id", "invoice"),
    ("invoice", "client_id", "client"),
    ("invoice_line_item", "invoice_id", "invoice"),
    ("invoice_line_item", "matter_id", "matter"),
    ("invoice_line_item", "time_entry_id", "time_entry"),
    ("payment", "invoice_id", "invoice"),
)


def make_database(directory: Path, name: str = "firm.db") -> Engine:
    engine = make_engine(f"sqlite:///{directory / name}")
    upgrade(engine)
    return engine


def table_rows(engine: Engine, table_name: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(f"SELECT * FROM {table_name}")]


def scalar(engine: Engine, sql: str, **parameters: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql), parameters).scalar()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoSummary]]:
    engine = make_database(tmp_path_factory.mktemp("demo"))
    summary = load_demo_data(engine, SIZE)
    yield engine, summary
    engine.dispose()


def test_same_seed_gives_identical_rows_and_another_seed_different_ones(tmp_path: Path) -> None:
    size = DemoSize(tenants=2, time_entries=600, seed=11)
    first, second, other = (make_database(tmp_path, f"{n}.db") for n in ("a", "b", "c"))
    load_demo_data(first, size)
    load_demo_data(second, size)
    load_demo_data(other, DemoSize(tenants=2, time_entries=600, seed=12))

    for table in demo_data.INSERT_ORDER:
        assert table_rows(first, table.name) == table_rows(second, table.name), table.name
    assert set(table_rows(first, "time_entry")).isdisjoint(table_rows(other, "time_entry"))
    assert table_rows(first, "tenant") != table_rows(other, "tenant")


def test_tenants_are_demo_then_numbered_firms(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = loaded
    with engine.connect() as connection:
        tenants = connection.execute(
            select(tables.tenant.c.id, tables.tenant.c.subdomain, tables.tenant.c.currency)
        ).all()

    by_subdomain = {t.subdomain: t for t in tenants}
    assert set(by_subdomain) == {"demo", "firm-2"}
    assert summary.tenant_ids == (by_subdomain["demo"].id, by_subdomain["firm-2"].id)
    assert by_subdomain["demo"].currency == "USD"
    assert by_subdomain["firm-2"].currency == "EUR"


def test_counts_follow_the_size_and_the_summary_tells_the_truth(
    loaded: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = loaded
    demo_id, firm_id = summary.tenant_ids
    count = "SELECT count(*) FROM {} WHERE tenant_id = :tenant"

    assert scalar(engine, count.format("time_entry"), tenant=demo_id) == 3_000
    assert scalar(engine, count.format("time_entry"), tenant=firm_id) == 300  # a tenth, >= 200
    assert scalar(engine, count.format("timekeeper"), tenant=demo_id) == 8  # the minimum
    assert scalar(engine, count.format("client"), tenant=demo_id) == 15  # one per 200 entries
    for table in demo_data.INSERT_ORDER:
        assert summary.rows[table.name] == scalar(engine, f"SELECT count(*) FROM {table.name}")
    assert DemoSize(time_entries=1_000).time_entries_of(1) == 200


def test_every_table_has_rows_for_every_tenant(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = loaded
    for table in demo_data.INSERT_ORDER[1:]:
        for tenant_id in summary.tenant_ids:
            sql = f"SELECT count(*) FROM {table.name} WHERE tenant_id = :tenant"
            assert scalar(engine, sql, tenant=tenant_id) > 0, (table.name, tenant_id)


def test_no_reference_crosses_a_tenant(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = loaded
    for child, column, parent in REFERENCES:
        if parent == "tenant":
            continue
        crossing = scalar(
            engine,
            f"SELECT count(*) FROM {child} c JOIN {parent} p ON p.id = c.{column}"
            " WHERE p.tenant_id != c.tenant_id",
        )
        dangling = scalar(
            engine,
            f"SELECT count(*) FROM {child} c LEFT JOIN {parent} p ON p.id = c.{column}"
            f" WHERE c.{column} IS NOT NULL AND p.id IS NULL",
        )
        assert (crossing, dangling) == (0, 0), (child, column)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_invoice_arithmetic_is_exact(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = loaded
    i, li, p = tables.invoice, tables.invoice_line_item, tables.payment
    with engine.connect() as connection:
        invoices = connection.execute(select(i)).all()
        lines = connection.execute(select(li.c.invoice_id, li.c.amount)).all()
        payments = connection.execute(select(p.c.invoice_id, p.c.amount)).all()
    line_sums: dict[str, Decimal] = defaultdict(Decimal)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for invoice_id, amount in lines:
        line_sums[invoice_id] += amount
    for invoice_id, amount in payments:
        paid[invoice_id] += amount

    statuses = set()
    for invoice in invoices:
        statuses.add(invoice.status)
        assert invoice.subtotal == line_sums[invoice.id]
        assert invoice.total == invoice.subtotal - invoice.discount + invoice.tax_amount
        assert invoice.total > 0
        if invoice.status == "void":
            assert (invoice.balance, paid[invoice.id]) == (Decimal(0), Decimal(0))
            continue
        assert invoice.balance == invoice.total - paid[invoice.id]
        if invoice.status == "paid":
            assert invoice.balance == 0 and invoice.paid_date is not None
        if invoice.status == "partially_paid":
            assert 0 < invoice.balance < invoice.total
        if invoice.status == "draft":
            assert invoice.sent_date is None and paid[invoice.id] == 0
    assert statuses == {"draft", "sent", "paid", "partially_paid", "void", "written_off"}
    assert any(invoice.tax_amount > 0 for invoice in invoices)  # the EUR firm charges VAT


def test_time_lines_bill_exactly_the_billed_entries(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = loaded
    te, li = tables.time_entry, tables.invoice_line_item
    with engine.connect() as connection:
        entries = connection.execute(
            select(te.c.invoice_id, func.sum(te.c.duration_minutes), func.count())
            .where(te.c.status == "billed")
            .group_by(te.c.invoice_id)
        ).all()
        hours = dict(
            connection.execute(
                select(li.c.invoice_id, func.sum(li.c.quantity))
                .where(li.c.type == "time")
                .group_by(li.c.invoice_id)
            ).all()
        )
        unbilled_with_invoice = connection.execute(
            select(func.count()).where(te.c.status != "billed", te.c.invoice_id.is_not(None))
        ).scalar()
        billed_late = connection.execute(
            select(func.count()).where(te.c.status == "billed", te.c.date >= date(2025, 12, 1))
        ).scalar()
    assert entries and unbilled_with_invoice == 0 and billed_late == 0
    for invoice_id, minutes, _ in entries:
        assert invoice_id is not None
        assert Decimal(hours[invoice_id]).quantize(Decimal("0.01")) == Decimal(minutes) / 60


def test_time_entries_look_like_a_law_firm(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = loaded
    te, tk = tables.time_entry, tables.timekeeper
    with engine.connect() as connection:
        rows = connection.execute(
            select(te, tk.c.rate.label("standard_rate"))
            .join(tk, tk.c.id == te.c.timekeeper_id)
            .where(te.c.tenant_id == summary.tenant_ids[0])
        ).all()
    mix = {status: sum(r.billable_status == status for r in rows) / len(rows) for status in
           ("billable", "non_billable", "no_charge")}  # fmt: skip
    assert 0.70 < mix["billable"] < 0.90 and 0.08 < mix["non_billable"] < 0.22
    assert 0.01 < mix["no_charge"] < 0.10
    assert {r.status for r in rows} == {"draft", "submitted", "approved", "billed"}
    for row in rows:
        assert date(2023, 1, 1) <= row.date <= date(2025, 12, 31)
        assert row.duration_minutes > 0 and row.duration_minutes % 6 == 0
        assert re.fullmatch(r"[LPCBA]\d{3}", row.activity_code)
        # The standard rate, or a rate agreed below it for the matter (the same for all of a
        # timekeeper's time on it).
        assert row.rate <= row.standard_rate
        assert row.created_at.tzinfo == UTC and row.updated_at >= row.created_at
    agreed = {(r.matter_id, r.timekeeper_id, r.rate) for r in rows if r.rate < r.standard_rate}
    assert 0 < len(agreed) == len({key[:2] for key in agreed})
    for row in rows:
        if (row.matter_id, row.timekeeper_id, row.rate) in agreed:
            assert Decimal("0.75") < row.rate / row.standard_rate < 1


def test_hostile_values_are_there(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = loaded
    for tenant_id in summary.tenant_ids:
        found = {
            "client": scalar(
                engine,
                "SELECT count(*) FROM client WHERE tenant_id = :t AND name = :v",
                t=tenant_id,
                v=HOSTILE_CLIENT_NAME,
            ),
            "entry": scalar(
                engine,
                "SELECT count(*) FROM time_entry WHERE tenant_id = :t AND description = :v",
                t=tenant_id,
                v=HOSTILE_TIME_ENTRY_DESCRIPTION,
            ),
        }
        assert found == {"client": 1, "entry": 1}
        for description in HOSTILE_MATTER_DESCRIPTIONS:
            sql = "SELECT count(*) FROM matter WHERE tenant_id = :t AND description = :v"
            assert scalar(engine, sql, t=tenant_id, v=description) == 1
    assert HOSTILE_CLIENT_NAME == '=HYPERLINK("http://x","y")'
    assert "\n" in HOSTILE_TIME_ENTRY_DESCRIPTION and '"' in HOSTILE_TIME_ENTRY_DESCRIPTION
    assert [d[0] for d in HOSTILE_MATTER_DESCRIPTIONS] == ["+", "-", "@"]


def test_soft_deleted_rows_exist_and_have_no_live_children(
    loaded: tuple[Engine, DemoSummary],
) -> None:
    engine, summary = loaded
    for table_name in MAIN_TABLES:
        for tenant_id in summary.tenant_ids:
            sql = f"SELECT count(*) FROM {table_name} WHERE tenant_id = :t AND is_deleted"
            assert scalar(engine, sql, t=tenant_id) >= 1, (table_name, tenant_id)
    orphans = {
        "entries of deleted matters": "SELECT count(*) FROM time_entry e JOIN matter m"
        " ON m.id = e.matter_id WHERE m.is_deleted",
        "entries of deleted timekeepers": "SELECT count(*) FROM time_entry e JOIN timekeeper t"
        " ON t.id = e.timekeeper_id WHERE t.is_deleted",
        "matters of deleted clients": "SELECT count(*) FROM matter m JOIN client c"
        " ON c.id = m.client_id WHERE c.is_deleted",
        "entries billed to deleted invoices": "SELECT count(*) FROM time_entry e JOIN invoice i"
        " ON i.id = e.invoice_id WHERE i.is_deleted OR i.status = 'void'",
        "deleted entries billed": "SELECT count(*) FROM time_entry WHERE is_deleted"
        " AND invoice_id IS NOT NULL",
        "live lines of deleted invoices": "SELECT count(*) FROM invoice_line_item l"
        " JOIN invoice i ON i.id = l.invoice_id WHERE i.is_deleted AND NOT l.is_deleted",
    }
    assert {name: scalar(engine, sql) for name, sql in orphans.items()} == dict.fromkeys(orphans, 0)


def test_some_matters_are_confidential(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, summary = loaded
    for tenant_id in summary.tenant_ids:
        sql = "SELECT count(*) FROM matter WHERE tenant_id = :t AND is_confidential"
        assert scalar(engine, sql, t=tenant_id) >= 1
    share = scalar(engine, "SELECT avg(is_confidential) FROM matter")
    assert 0.01 < share < 0.15


def test_names_are_not_only_ascii(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = loaded
    timekeepers = {row[0] for row in table_rows_of(engine, "SELECT name FROM timekeeper")}
    clients = {row[0] for row in table_rows_of(engine, "SELECT name FROM client")}
    assert {"Zoë Müller", "José Núñez", "Łukasz Wiśniewski", "Ægir Ørsted"} <= timekeepers
    assert "山田太郎" in clients


def table_rows_of(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def test_matters_are_numbered_per_tenant(loaded: tuple[Engine, DemoSummary]) -> None:
    engine, _ = loaded
    numbers = table_rows_of(engine, "SELECT tenant_id, matter_number FROM matter")
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"20\d\d-\d{5}", number) for _, number in numbers)


def test_a_second_load_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    engine = make_database(tmp_path)
    assert database_is_empty(engine)
    load_demo_data(engine, DemoSize(tenants=1, time_entries=300))
    before = table_rows(engine, "time_entry")

    assert not database_is_empty(engine)
    with pytest.raises(ValueError, match="subdomain demo exists"):
        load_demo_data(engine, DemoSize(tenants=1, time_entries=300, seed=8))
    assert table_rows(engine, "time_entry") == before


def test_a_failed_load_leaves_no_rows_and_every_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_database(tmp_path)
    indexes_sql = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
    indexes = table_rows_of(engine, indexes_sql)

    def fail(*_: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(demo_data.FirmBuilder, "_client_work", fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load_demo_data(engine, DemoSize(tenants=1, time_entries=300))

    assert database_is_empty(engine)
    assert table_rows_of(engine, indexes_sql) == indexes


def test_sizes_are_validated() -> None:
    with pytest.raises(ValueError, match="tenants"):
        DemoSize(tenants=0)
    with pytest.raises(ValueError, match="time_entries"):
        DemoSize(time_entries=0)


def test_ids_are_version_4_uuids() -> None:
    for bits in (0, 2**128 - 1, 0x0123456789ABCDEF0123456789ABCDEF):
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
