"""Salt a demo firm with the values that break writers: every free-text, nullable, money, date
and timestamp column of the firm's tables gets edge values on some of its rows.

Used by the fidelity tests, which export the salted firm through a fast path and a reference
path and compare what an independent reader sees.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Engine, Numeric, String, Text, select, update

from smarter_export.domain.tables import metadata
from smarter_export.domain.types import UtcDateTime

ROWS_PER_TABLE = 70  # salted rows per table; the rest stay as the demo made them
# The service's own tables (jobs, grants, schedules, delivery, settings) hold no exported text.
SERVICE_TABLE_PREFIXES = ("export_", "user_", "schedule_", "webhook", "mail_", "firm_")
# Columns with a fixed vocabulary (enumerations), keys and zones: salting them would make rows
# the sources filter out or refuse, not rows that test a writer.
FIXED_VOCABULARY = {
    "id", "tenant_id", "status", "type", "role", "billing_type", "billable_status",
    "payment_method", "plan", "currency", "timezone", "subdomain",
}  # fmt: skip

EDGE_TEXTS = (
    "Zoë Müller-Ørsted, Société Générale",
    "山田太郎 法律事務所",
    "Emoji 😀👩‍⚖️ and flags 🇨🇦",
    "control \x01\x02\x1f characters",
    "tab\tand\nnewline\r\nand carriage\rreturn",
    "=1+1",
    "+33 1 23 45 67 89",
    "-42",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading carriage return",
    "  leading and trailing spaces  ",
    "quotes \" and ' and, commas; & < > ampersands",
    "literal _x0041_ escape",
    "",
    "0042",
    "non-characters \ufffe\uffff end",
)
MONEY_EDGES = (Decimal("0.00"), Decimal("-1234.56"), Decimal("-0.01"), Decimal("12345.67"))
DATE_EDGES = (date(2024, 3, 10), date(2024, 11, 3), date(2024, 2, 29), date(1999, 12, 31))
# New York's clocks moved at these instants (2024-03-10 02:00 EST, 2024-11-03 02:00 EDT).
TIMESTAMP_EDGES = (
    datetime(2024, 3, 10, 6, 59, 59, tzinfo=UTC),
    datetime(2024, 3, 10, 7, 0, 0, tzinfo=UTC),
    datetime(2024, 11, 3, 5, 30, 0, tzinfo=UTC),
    datetime(2024, 11, 3, 6, 30, 0, tzinfo=UTC),
)
LONGEST_TEXT = 32_767  # a Text column's salt: the most a spreadsheet cell holds, and more


def _longest(length: int | None, row: int) -> str:
    if length is None:  # Text: past the cell limit, with characters that count twice in Excel
        return ("Ω" * (LONGEST_TEXT - 10)) + ("😀" * 20) if row % 2 else "x" * (LONGEST_TEXT + 5)
    return ("é" * length) if row % 2 else ("x" * length)


def _unique_columns(table: Any) -> set[str]:
    names: set[str] = set()
    for constraint in table.constraints:
        columns = [column.name for column in getattr(constraint, "columns", ())]
        if constraint.__class__.__name__ == "UniqueConstraint":
            names.update(columns)
    return names


def _edge_value(column: Any, row: int, unique: bool) -> tuple[bool, Any]:
    """(salt it?, value) for a column of the row-th salted row."""
    kind = column.type
    if column.nullable and row % 9 == 4 and not column.name.endswith("_id"):
        return True, None
    if column.nullable and column.name.endswith("_id") and column.name != "tenant_id":
        return (row % 9 == 4), None
    if isinstance(kind, String | Text) and column.name not in FIXED_VOCABULARY:
        if column.name.endswith("_id"):
            return False, None
        if unique:  # matter and invoice numbers: ids with leading zeros, still unique
            return True, f"{row:07d}"
        if row % 17 == 16:
            return True, _longest(getattr(kind, "length", None), row)
        text = EDGE_TEXTS[row % len(EDGE_TEXTS)]
        length = getattr(kind, "length", None)
        return True, text[:length] if length else text
    if isinstance(kind, Numeric) and not isinstance(kind, UtcDateTime) and row % 3 == 0:
        return True, MONEY_EDGES[(row // 3) % len(MONEY_EDGES)]
    if isinstance(kind, UtcDateTime) and row % 2 == 0:
        return True, TIMESTAMP_EDGES[(row // 2) % len(TIMESTAMP_EDGES)]
    if isinstance(kind, Date) and row % 4 == 1 and column.nullable:
        return True, DATE_EDGES[(row // 4) % len(DATE_EDGES)]
    if isinstance(kind, Date) and row % 4 == 1:  # required dates: move them, keep them valid
        return True, DATE_EDGES[(row // 4) % 2]
    return False, None


def salt_firm(engine: Engine, tenant_id: str) -> int:
    """Salt the first rows of each of the firm's tables; returns the number of values changed."""
    changed = 0
    with engine.begin() as connection:
        for table in metadata.tables.values():
            if "tenant_id" not in table.c or table.name.startswith(SERVICE_TABLE_PREFIXES):
                continue
            unique = _unique_columns(table)
            ids = connection.execute(
                select(table.c.id)
                .where(table.c.tenant_id == tenant_id)
                .order_by(table.c.id)
                .limit(ROWS_PER_TABLE)
            ).scalars()
            for row, row_id in enumerate(list(ids)):
                values = {}
                for column in table.c:
                    if column.primary_key or column.name in ("tenant_id", "is_deleted"):
                        continue
                    salted, value = _edge_value(column, row, column.name in unique)
                    if salted:
                        values[column.name] = value
                if values:
                    connection.execute(update(table).where(table.c.id == row_id).values(values))
                    changed += len(values)
    return changed
