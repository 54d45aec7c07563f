"""`conversions`: a column's driver values converted once each, and handed to every row again
exactly as its own conversion would be (`jobs/batches.py`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, Numeric, Table, select
from sqlalchemy.dialects import sqlite

from smarter_export.domain.database import make_engine
from smarter_export.domain.types import UtcDateTime
from smarter_export.jobs import batches
from smarter_export.jobs.batches import conversions, typed_batches

DIALECT = sqlite.dialect()
MONEY = Numeric(14, 2, asdecimal=True).dialect_impl(DIALECT).result_processor(DIALECT, None)


class Counted:
    def __init__(self, processor: Any) -> None:
        self.processor, self.calls = processor, 0

    def __call__(self, value: Any) -> Any:
        self.calls += 1
        return self.processor(value)


def test_a_value_met_again_is_converted_once_and_gives_what_its_conversion_gives() -> None:
    counted = Counted(MONEY)
    converted = conversions(counted)
    values = [325.5, 12.25, 325.5, None, 7, 325.5, 7.0, 12.25]
    got = [converted[value] for value in values]
    assert got == [MONEY(value) for value in values]
    assert [str(value) for value in got if value is not None] == [
        "325.50", "12.25", "325.50", "7.00", "325.50", "7.00", "12.25"
    ]  # fmt: skip
    # 325.5, 12.25 and 7 once each (7.0 is the same key and prints the same); None, falsy as
    # zero is, each time it comes.
    assert counted.calls == 4


def test_zero_keeps_its_sign() -> None:
    """0.0 and -0.0 are one dict key, but a Decimal prints their signs apart."""
    converted = conversions(MONEY)
    assert [str(converted[value]) for value in (0.0, -0.0, 0.0, -0.0)] == [
        "0.00", "-0.00", "0.00", "-0.00"
    ]  # fmt: skip
    assert str(converted[-0.0]) == str(MONEY(-0.0)) == "-0.00"


def test_a_conversion_a_row_could_change_is_not_shared() -> None:
    converted = conversions(lambda value: [value])
    first, again = converted["a"], converted["a"]
    assert first == again == ["a"] and first is not again


def test_what_is_kept_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "CONVERSIONS_KEPT", 10)
    converted = conversions(MONEY)
    assert [converted[float(n)] for n in range(1, 100)] == [
        Decimal(f"{n}.00") for n in range(1, 100)
    ]
    assert len(converted) == 10


def test_typed_batches_give_sqlalchemys_values(tmp_path: Path) -> None:
    """Through the cursor and the kept conversions, the values SQLAlchemy's rows hold."""
    engine = make_engine(f"sqlite:///{tmp_path / 'typed.db'}")
    metadata = MetaData()
    table = Table(
        "typed",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("amount", Numeric(14, 2, asdecimal=True)),
        Column("day", Date),
        Column("at", UtcDateTime()),
        Column("flag", Boolean),
    )
    metadata.create_all(engine)
    amounts = [Decimal("325.50"), Decimal("0.00"), None, Decimal("-12.25"), Decimal("7")]
    when = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                {
                    "id": n,
                    "amount": amounts[n % len(amounts)],
                    "day": date(2026, 1, 1 + n % 3) if n % 4 else None,
                    "at": when if n % 2 else None,
                    "flag": n % 3 == 0,
                }
                for n in range(40)
            ],
        )
        statement = select(table).order_by(table.c.id)
        expected = [tuple(row) for row in connection.execute(statement)]
        got = [tuple(row) for batch in typed_batches(connection, statement, 7) for row in batch]
    engine.dispose()
    assert got == expected
    assert [type(value) for value in got[3]] == [int, Decimal, date, datetime, bool]
