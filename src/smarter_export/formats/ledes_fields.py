"""The LEDES 1998B and 1998BI (V2) files as the LEDES Oversight Committee specifies them: the
first line, the fields in order, their length limits, the line types, the timekeeper
classifications, and how dates and amounts are written.

A file is text, one record a line, each line ending in `[]`; fields are separated by `|`, which
no value may contain. Dates are YYYYMMDD, amounts plain decimals with two places and a leading
`-` when negative (no thousands separators, no currency sign).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

SEPARATOR = "|"
END = "[]"
NEWLINE = "\r\n"  # after each `[]`: the line break of the Windows systems the format grew up on
CENT = Decimal("0.01")
DESCRIPTION_BYTES = 15 * 1024  # the descriptions' limit: 15 KB


class LedesVersion(StrEnum):
    B = "1998B"
    BI = "1998BI"


# The 24 fields of LEDES 1998B, in order; every 1998BI line starts with them.
FIELDS_1998B = (
    "INVOICE_DATE", "INVOICE_NUMBER", "CLIENT_ID", "LAW_FIRM_MATTER_ID", "INVOICE_TOTAL",
    "BILLING_START_DATE", "BILLING_END_DATE", "INVOICE_DESCRIPTION", "LINE_ITEM_NUMBER",
    "EXP/FEE/INV_ADJ_TYPE", "LINE_ITEM_NUMBER_OF_UNITS", "LINE_ITEM_ADJUSTMENT_AMOUNT",
    "LINE_ITEM_TOTAL", "LINE_ITEM_DATE", "LINE_ITEM_TASK_CODE", "LINE_ITEM_EXPENSE_CODE",
    "LINE_ITEM_ACTIVITY_CODE", "TIMEKEEPER_ID", "LINE_ITEM_DESCRIPTION", "LAW_FIRM_ID",
    "LINE_ITEM_UNIT_COST", "TIMEKEEPER_NAME", "TIMEKEEPER_CLASSIFICATION", "CLIENT_MATTER_ID",
)  # fmt: skip
# The 28 fields LEDES98BI V2 adds: the client's and the firm's details, currency and tax.
FIELDS_1998BI_EXTRA = (
    "PO_NUMBER", "CLIENT_TAX_ID", "MATTER_NAME", "INVOICE_TAX_TOTAL", "INVOICE_NET_TOTAL",
    "INVOICE_CURRENCY", "TIMEKEEPER_LAST_NAME", "TIMEKEEPER_FIRST_NAME", "ACCOUNT_TYPE",
    "LAW_FIRM_NAME", "LAW_FIRM_ADDRESS_1", "LAW_FIRM_ADDRESS_2", "LAW_FIRM_CITY",
    "LAW_FIRM_STATEorREGION", "LAW_FIRM_POSTCODE", "LAW_FIRM_COUNTRY", "CLIENT_NAME",
    "CLIENT_ADDRESS_1", "CLIENT_ADDRESS_2", "CLIENT_CITY", "CLIENT_STATEorREGION",
    "CLIENT_POSTCODE", "CLIENT_COUNTRY", "LINE_ITEM_TAX_RATE", "LINE_ITEM_TAX_TOTAL",
    "LINE_ITEM_TAX_TYPE", "INVOICE_REPORTED_TAX_TOTAL", "INVOICE_TAX_CURRENCY",
)  # fmt: skip

# Longest value of a text field, in characters (descriptions: DESCRIPTION_BYTES of UTF-8).
MAX_LENGTH = {
    "INVOICE_NUMBER": 20, "CLIENT_ID": 20, "LAW_FIRM_MATTER_ID": 20, "LINE_ITEM_NUMBER": 20,
    "EXP/FEE/INV_ADJ_TYPE": 2, "LINE_ITEM_TASK_CODE": 20, "LINE_ITEM_EXPENSE_CODE": 20,
    "LINE_ITEM_ACTIVITY_CODE": 20, "TIMEKEEPER_ID": 20, "LAW_FIRM_ID": 20,
    "TIMEKEEPER_NAME": 30, "TIMEKEEPER_CLASSIFICATION": 10, "CLIENT_MATTER_ID": 20,
    "PO_NUMBER": 100, "CLIENT_TAX_ID": 20, "MATTER_NAME": 255, "INVOICE_CURRENCY": 3,
    "TIMEKEEPER_LAST_NAME": 30, "TIMEKEEPER_FIRST_NAME": 30, "ACCOUNT_TYPE": 1,
    "LAW_FIRM_NAME": 60, "LAW_FIRM_ADDRESS_1": 60, "LAW_FIRM_ADDRESS_2": 60, "LAW_FIRM_CITY": 40,
    "LAW_FIRM_STATEorREGION": 40, "LAW_FIRM_POSTCODE": 20, "LAW_FIRM_COUNTRY": 3,
    "CLIENT_NAME": 60, "CLIENT_ADDRESS_1": 60, "CLIENT_ADDRESS_2": 60, "CLIENT_CITY": 40,
    "CLIENT_STATEorREGION": 40, "CLIENT_POSTCODE": 20, "CLIENT_COUNTRY": 3,
    "LINE_ITEM_TAX_TYPE": 20, "INVOICE_TAX_CURRENCY": 3,
}  # fmt: skip
DESCRIPTIONS = ("INVOICE_DESCRIPTION", "LINE_ITEM_DESCRIPTION")

# The line types: a fee, an expense, an invoice-level adjustment of the fees or the expenses.
FEE, EXPENSE, FEE_ADJUSTMENT, EXPENSE_ADJUSTMENT = "F", "E", "IF", "IE"

# Timekeeper classification by the timekeeper's role: 1998B's list (PT partner, AS associate,
# OC of counsel, LA legal assistant, PL paralegal, OT other) and the LOC's 2014 list that
# 1998BI systems take.
CLASSIFICATIONS = {
    LedesVersion.B: {
        "partner": "PT", "associate": "AS", "of_counsel": "OC", "paralegal": "PL", "staff": "OT",
    },
    LedesVersion.BI: {
        "partner": "PARTNR", "associate": "ASSOC", "of_counsel": "OFCNSL", "paralegal": "PRLGL",
        "staff": "OTH",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """A version's file: its first line and its fields."""

    version: LedesVersion
    first_line: str
    fields: tuple[str, ...]

    @property
    def carries_tax(self) -> bool:
        return self.version is LedesVersion.BI

    def header(self) -> str:
        return self.first_line + END + NEWLINE + SEPARATOR.join(self.fields) + END + NEWLINE


LAYOUTS = {
    LedesVersion.B: Layout(LedesVersion.B, "LEDES1998B", FIELDS_1998B),
    LedesVersion.BI: Layout(LedesVersion.BI, "LEDES98BI V2", FIELDS_1998B + FIELDS_1998BI_EXTRA),
}


def ledes_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def ledes_amount(value: Decimal) -> str:
    """Two places, half away from zero for a product with more; '-0.00' is written '0.00'."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{rounded:.2f}" if rounded else "0.00"


def ledes_rate(value: Decimal) -> str:
    """A tax rate as a fraction (0.19 is 19 %), without trailing zeros."""
    text = f"{value.normalize():f}"
    return text if text != "0" else "0.00"


def product(units: Decimal, unit_cost: Decimal) -> Decimal:
    """Units x unit cost to the cent, half away from zero, as a reader of the file computes it."""
    return (units * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


def too_long(field: str, value: str) -> str | None:
    """What is wrong with a value's length, or None."""
    if field in DESCRIPTIONS:
        size = len(value.encode("utf-8"))
        return (
            f"{size:,} bytes, over the limit of {DESCRIPTION_BYTES:,}"
            if (size > DESCRIPTION_BYTES)
            else None
        )
    limit = MAX_LENGTH.get(field)
    if limit is not None and len(value) > limit:
        return f"{value!r} has {len(value)} characters, over the limit of {limit}"
    return None
