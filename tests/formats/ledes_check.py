"""A LEDES file checked as a client's e-billing system checks it, written from the LEDES
Oversight Committee's specification (1998B; LEDES98BI V2) and the ABA's UTBMS code sets, not
from our writer: its own field lists, code sets and arithmetic.

`problems(text, ledger)` lists every rule the file breaks; an empty list is a file a client
accepts. `ledger` gives, by invoice number, the database's invoice, so each invoice total is
also held to the ledger to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

B_FIELDS = (  # noqa: SIM905 - the fields as the spec prints them
    "INVOICE_DATE|INVOICE_NUMBER|CLIENT_ID|LAW_FIRM_MATTER_ID|INVOICE_TOTAL|BILLING_START_DATE|"
    "BILLING_END_DATE|INVOICE_DESCRIPTION|LINE_ITEM_NUMBER|EXP/FEE/INV_ADJ_TYPE|"
    "LINE_ITEM_NUMBER_OF_UNITS|LINE_ITEM_ADJUSTMENT_AMOUNT|LINE_ITEM_TOTAL|LINE_ITEM_DATE|"
    "LINE_ITEM_TASK_CODE|LINE_ITEM_EXPENSE_CODE|LINE_ITEM_ACTIVITY_CODE|TIMEKEEPER_ID|"
    "LINE_ITEM_DESCRIPTION|LAW_FIRM_ID|LINE_ITEM_UNIT_COST|TIMEKEEPER_NAME|"
    "TIMEKEEPER_CLASSIFICATION|CLIENT_MATTER_ID"
).split("|")
BI_FIELDS = B_FIELDS + (  # noqa: SIM905
    "PO_NUMBER|CLIENT_TAX_ID|MATTER_NAME|INVOICE_TAX_TOTAL|INVOICE_NET_TOTAL|INVOICE_CURRENCY|"
    "TIMEKEEPER_LAST_NAME|TIMEKEEPER_FIRST_NAME|ACCOUNT_TYPE|LAW_FIRM_NAME|LAW_FIRM_ADDRESS_1|"
    "LAW_FIRM_ADDRESS_2|LAW_FIRM_CITY|LAW_FIRM_STATEorREGION|LAW_FIRM_POSTCODE|LAW_FIRM_COUNTRY|"
    "CLIENT_NAME|CLIENT_ADDRESS_1|CLIENT_ADDRESS_2|CLIENT_CITY|CLIENT_STATEorREGION|"
    "CLIENT_POSTCODE|CLIENT_COUNTRY|LINE_ITEM_TAX_RATE|LINE_ITEM_TAX_TOTAL|LINE_ITEM_TAX_TYPE|"
    "INVOICE_REPORTED_TAX_TOTAL|INVOICE_TAX_CURRENCY"
).split("|")
FIRST_LINES = {"LEDES1998B[]": B_FIELDS, "LEDES98BI V2[]": BI_FIELDS}

LENGTHS = {
    "INVOICE_NUMBER": 20, "CLIENT_ID": 20, "LAW_FIRM_MATTER_ID": 20, "LINE_ITEM_NUMBER": 20,
    "LINE_ITEM_TASK_CODE": 20, "LINE_ITEM_EXPENSE_CODE": 20, "LINE_ITEM_ACTIVITY_CODE": 20,
    "TIMEKEEPER_ID": 20, "LAW_FIRM_ID": 20, "TIMEKEEPER_NAME": 30,
    "TIMEKEEPER_CLASSIFICATION": 10, "CLIENT_MATTER_ID": 20, "CLIENT_TAX_ID": 20,
    "MATTER_NAME": 255, "INVOICE_CURRENCY": 3, "ACCOUNT_TYPE": 1, "CLIENT_NAME": 60,
    "LAW_FIRM_NAME": 60, "CLIENT_ADDRESS_1": 60, "CLIENT_CITY": 40, "CLIENT_STATEorREGION": 40,
    "CLIENT_POSTCODE": 20, "TIMEKEEPER_LAST_NAME": 30, "TIMEKEEPER_FIRST_NAME": 30,
}  # fmt: skip
REQUIRED = (
    "INVOICE_DATE", "INVOICE_NUMBER", "CLIENT_ID", "LAW_FIRM_MATTER_ID", "INVOICE_TOTAL",
    "LINE_ITEM_NUMBER", "EXP/FEE/INV_ADJ_TYPE", "LINE_ITEM_TOTAL", "LINE_ITEM_DATE", "LAW_FIRM_ID",
)  # fmt: skip
INVOICE_FIELDS = (
    "INVOICE_DATE", "CLIENT_ID", "INVOICE_TOTAL", "BILLING_START_DATE", "BILLING_END_DATE",
    "INVOICE_DESCRIPTION", "LAW_FIRM_ID",
)  # fmt: skip
DATES = ("INVOICE_DATE", "BILLING_START_DATE", "BILLING_END_DATE", "LINE_ITEM_DATE")
AMOUNTS = ("INVOICE_TOTAL", "LINE_ITEM_TOTAL", "LINE_ITEM_ADJUSTMENT_AMOUNT", "LINE_ITEM_UNIT_COST")

# ABA UTBMS: litigation, counseling, project and bankruptcy tasks; activities; expenses.
TASKS = (
    {f"L{n}" for n in (110, 120, 130, 140, 150, 160, 190, 210, 220, 230, 240, 250, 260)}
    | {f"L{n}" for n in (310, 320, 330, 340, 350, 390, 410, 420, 430, 440, 450, 460, 470)}
    | {"L510", "L520", "L530", "C100", "C200", "C300", "C400"}
    | {f"P{n}" for n in (100, 210, 220, 230, 240, 250, 260, 270, 280, 300, 400, 500, 600, 700)}
    | {f"B{n}" for n in (110, 120, 130, 140, 150, 160, 170, 180, 190, 310, 320)}
)
ACTIVITIES = {f"A{n}" for n in range(101, 112)}
EXPENSES = {f"E{n}" for n in range(101, 125)}
CLASSES = {
    "LEDES1998B[]": {"PT", "AS", "OC", "LA", "PL", "OT"},
    "LEDES98BI V2[]": {"PARTNR", "ASSOC", "OFCNSL", "PRLGL", "LGLAST", "OTH", "PT", "AS", "OC"},
}
MONEY = re.compile(r"-?\d{1,12}\.\d{2}")
UNITS = re.compile(r"\d{1,10}(\.\d{1,4})?")


@dataclass(frozen=True)
class Ledger:
    """The database's invoice."""

    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def _day(text: str) -> date | None:
    if not re.fullmatch(r"\d{8}", text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def problems(text: str, ledger: Mapping[str, Ledger] | None = None) -> list[str]:
    found: list[str] = []
    raw_lines = text.split("\r\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    else:
        found.append("the file does not end with a line break after its last []")
    if len(raw_lines) < 3:
        return [*found, "no header, field names and line items"]
    first = raw_lines[0]
    fields = FIRST_LINES.get(first)
    if fields is None:
        return [*found, f"first line {first!r} is not LEDES1998B[] or LEDES98BI V2[]"]
    international = first == "LEDES98BI V2[]"
    if raw_lines[1] != "|".join(fields) + "[]":
        found.append("line 2 is not the field names in order, ending in []")
    invoices: dict[str, list[dict[str, str]]] = {}
    order: list[str] = []
    for number, line in enumerate(raw_lines[2:], start=3):
        if not line.endswith("[]"):
            found.append(f"line {number} does not end in []")
            continue
        values = line[:-2].split("|")
        if len(values) != len(fields):
            found.append(f"line {number} has {len(values)} fields, not {len(fields)}")
            continue
        record = dict(zip(fields, values, strict=True))
        found += _line_problems(number, record, international, CLASSES[first])
        key = record["INVOICE_NUMBER"]
        if key in invoices and order[-1] != key:
            found.append(f"line {number}: invoice {key}'s lines are not together")
        if key not in invoices:
            order.append(key)
        invoices.setdefault(key, []).append(record)
    for key, records in invoices.items():
        found += _invoice_problems(key, records, international, (ledger or {}).get(key))
    return found


def _line_problems(
    number: int, record: dict[str, str], international: bool, classes: set[str]
) -> list[str]:
    found = []
    where = f"line {number}"
    for name in REQUIRED:
        if not record[name]:
            found.append(f"{where}: {name} is empty")
    for name in DATES:
        if record[name] and _day(record[name]) is None:
            found.append(f"{where}: {name} {record[name]!r} is not a date YYYYMMDD")
    for name in AMOUNTS + (("INVOICE_TAX_TOTAL", "LINE_ITEM_TAX_TOTAL") if international else ()):
        if record[name] and not MONEY.fullmatch(record[name]):
            found.append(f"{where}: {name} {record[name]!r} is not an amount with two places")
    for name, limit in LENGTHS.items():
        if name in record and len(record[name]) > limit:
            found.append(f"{where}: {name} is longer than {limit}")
    if not UNITS.fullmatch(record["LINE_ITEM_NUMBER_OF_UNITS"]):
        found.append(f"{where}: LINE_ITEM_NUMBER_OF_UNITS is not a number of units")
    kind = record["EXP/FEE/INV_ADJ_TYPE"]
    task, activity = record["LINE_ITEM_TASK_CODE"], record["LINE_ITEM_ACTIVITY_CODE"]
    expense = record["LINE_ITEM_EXPENSE_CODE"]
    if kind not in {"F", "E", "IF", "IE"}:
        found.append(f"{where}: type {kind!r} is not F, E, IF or IE")
    if kind == "F":
        if task and task not in TASKS:
            found.append(f"{where}: task code {task!r} is not UTBMS")
        if activity and activity not in ACTIVITIES:
            found.append(f"{where}: activity code {activity!r} is not UTBMS")
        if expense:
            found.append(f"{where}: a fee carries an expense code")
        if not record["TIMEKEEPER_ID"] or not record["TIMEKEEPER_NAME"]:
            found.append(f"{where}: a fee has no timekeeper")
        if record["TIMEKEEPER_CLASSIFICATION"] not in classes:
            found.append(f"{where}: classification {record['TIMEKEEPER_CLASSIFICATION']!r}")
    if kind == "E":
        if expense and expense not in EXPENSES:
            found.append(f"{where}: expense code {expense!r} is not UTBMS")
        if task or activity:
            found.append(f"{where}: an expense carries a task or activity code")
    if not found:
        found += _arithmetic(where, record, international)
    return found


def _arithmetic(where: str, record: dict[str, str], international: bool) -> list[str]:
    units = Decimal(record["LINE_ITEM_NUMBER_OF_UNITS"])
    cost = Decimal(record["LINE_ITEM_UNIT_COST"] or "0")
    adjustment = Decimal(record["LINE_ITEM_ADJUSTMENT_AMOUNT"] or "0")
    base = _cents(units * cost) + adjustment
    tax = Decimal(record["LINE_ITEM_TAX_TOTAL"]) if international else Decimal(0)
    found = []
    if base + tax != Decimal(record["LINE_ITEM_TOTAL"]):
        found.append(f"{where}: LINE_ITEM_TOTAL is not units x unit cost + adjustment (+ tax)")
    if international:
        rate = Decimal(record["LINE_ITEM_TAX_RATE"] or "0")
        if abs(tax - base * rate) > Decimal("0.01"):
            found.append(f"{where}: LINE_ITEM_TAX_TOTAL is not the line x its tax rate")
    return found


def _invoice_problems(
    key: str, records: list[dict[str, str]], international: bool, ledger: Ledger | None
) -> list[str]:
    found = []
    head = records[0]
    for name in INVOICE_FIELDS:
        if any(record[name] != head[name] for record in records):
            found.append(f"invoice {key}: {name} differs between its lines")
    numbers = [record["LINE_ITEM_NUMBER"] for record in records]
    if len(set(numbers)) != len(numbers):
        found.append(f"invoice {key}: a LINE_ITEM_NUMBER repeats")
    if found or not all(MONEY.fullmatch(r["LINE_ITEM_TOTAL"]) for r in records):
        return found
    start, end = _day(head["BILLING_START_DATE"]), _day(head["BILLING_END_DATE"])
    for record in records:
        day = _day(record["LINE_ITEM_DATE"])
        if start and end and day and not start <= day <= end:
            found.append(f"invoice {key}: a line is dated outside the billing period")
    total = Decimal(head["INVOICE_TOTAL"])
    if sum(Decimal(r["LINE_ITEM_TOTAL"]) for r in records) != total:
        found.append(f"invoice {key}: INVOICE_TOTAL is not the sum of its LINE_ITEM_TOTALs")
    tax = Decimal(0)
    if international:
        tax = Decimal(head["INVOICE_TAX_TOTAL"])
        if sum(Decimal(r["LINE_ITEM_TAX_TOTAL"]) for r in records) != tax:
            found.append(f"invoice {key}: INVOICE_TAX_TOTAL is not the sum of the lines' tax")
        if Decimal(head["INVOICE_NET_TOTAL"]) != total - tax:
            found.append(f"invoice {key}: INVOICE_NET_TOTAL is not the total less tax")
    if ledger is not None:
        expected = ledger.subtotal - ledger.discount + (ledger.tax if international else 0)
        if total != expected or (international and tax != ledger.tax):
            found.append(f"invoice {key}: INVOICE_TOTAL {total} is not the ledger's {expected}")
    return found
