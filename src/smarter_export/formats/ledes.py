"""LEDES e-billing files (1998B, and 1998BI V2 with tax) of the firm's invoices.

The writer takes the LEDES view of the invoices (`sources/ledes.py`): the invoices first, then
their lines, an invoice's lines together. Each invoice becomes its lines in the file once all of
them have arrived: a fee (`F`) per time or fixed-fee line, an expense (`E`) per expense, an
invoice-level fee adjustment (`IF`) per write-down and one more for the invoice's discount. Each
line's total is units x unit cost + its adjustment, to the cent (a stored amount that differs
from the product carries the difference as its adjustment); in 1998BI the invoice's tax is
divided over its lines in proportion to them by cumulative rounding, so the lines' tax adds up
to the invoice's exactly. The invoice's total, the sum of its lines' totals, is checked against
the ledger's: subtotal - discount (+ tax in 1998BI).

Everything a client's e-billing system would reject is refused, never trimmed nor guessed: a
firm without a tax id, an invoice without lines, a code outside the UTBMS code sets, a fee line
without a task code for a client whose guidelines require codes, tax in a 1998B file, a value
too long or holding `|`. Every such problem of every invoice is collected and the export fails
once, naming the invoice, the line and the field. (A line break inside a description is written
as a space: it carries no words, and a LEDES line may hold none.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pydantic import Field

from smarter_export.errors import FileRefused
from smarter_export.formats.ledes_fields import (
    CLASSIFICATIONS,
    END,
    EXPENSE,
    FEE,
    FEE_ADJUSTMENT,
    LAYOUTS,
    NEWLINE,
    SEPARATOR,
    Layout,
    LedesVersion,
    ledes_amount,
    ledes_date,
    ledes_rate,
    product,
    too_long,
)
from smarter_export.formats.options import FormatOptions
from smarter_export.formats.utbms import ACTIVITY_CODES, EXPENSE_CODES, TASK_CODES
from smarter_export.sources.analytics.allocation import split_cents
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary

MAX_PROBLEMS_SAID = 20  # the message names this many problems, then counts the rest
LINE_TYPES = {"time": FEE, "fixed_fee": FEE, "expense": EXPENSE, "adjustment": FEE_ADJUSTMENT}
ZERO = Decimal(0)


class LedesOptions(FormatOptions):
    version: LedesVersion = Field(
        LedesVersion.B,
        description="1998B: the US standard, 24 fields, no tax. 1998BI: LEDES98BI V2, the "
        "international form with currency and tax fields (52 fields).",
    )


Record = dict[str, Any]


@dataclass
class _Line:
    """One line of the file before it is written: its fields, and what a problem calls it."""

    fields: dict[str, str]
    name: str  # "line 3 (fee)"
    base: Decimal  # units x unit cost + adjustment: the line's total before tax


class _Problems:
    def __init__(self) -> None:
        self.said: dict[str, None] = {}  # in order, each once

    def add(self, message: str) -> None:
        self.said.setdefault(message, None)

    def __bool__(self) -> bool:
        return bool(self.said)

    def refusal(self, version: LedesVersion) -> FileRefused:
        problems = list(self.said)
        listed = "; ".join(problems[:MAX_PROBLEMS_SAID])
        more = len(problems) - MAX_PROBLEMS_SAID
        rest = f"; and {more:,} more" if more > 0 else ""
        return FileRefused(
            f"No LEDES {version} file was written: a client's e-billing system would reject "
            f"it. Correct these and export again: {listed}{rest}."
        )


class LedesWriter:
    def __init__(self, options: LedesOptions) -> None:
        self._layout: Layout = LAYOUTS[options.version]
        self._file: IO[str] | None = None
        self._path: Path | None = None
        self._main = self._lines_table = ""
        self._invoice_names: list[str] = []
        self._line_names: list[str] = []
        self._invoices: dict[str, Record] = {}  # by id, until their lines are written
        self._current: str | None = None
        self._pending: list[Record] = []
        self._problems = _Problems()
        self._written = {"invoices": 0, "lines": 0}

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        main, lines = tables
        self._main, self._lines_table = main.name, lines.name
        self._invoice_names = [column.name for column in main.columns]
        self._line_names = [column.name for column in lines.columns]
        self._path = path
        self._file = path.open("w", encoding="utf-8", newline="")
        self._file.write(self._layout.header())

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        if table == self._main:
            for row in batch:
                record = dict(zip(self._invoice_names, row, strict=True))
                self._invoices[str(record["invoiceId"])] = record
            return
        for row in batch:
            line = dict(zip(self._line_names, row, strict=True))
            if line["invoiceId"] != self._current:
                self._finish_invoice()
                self._current = str(line["invoiceId"])
            self._pending.append(line)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        assert self._file is not None
        assert self._path is not None
        self._finish_invoice()
        for record in self._invoices.values():  # what is left never had a line
            self._problems.add(f"invoice {record['invoiceNumber']} has no line items")
        if self._problems:
            self.abort()
            raise self._problems.refusal(self._layout.version)
        if not self._written["invoices"]:
            self.abort()
            raise FileRefused(
                "No invoice sent to a client matches the filters, and a LEDES file without "
                "invoices is rejected: widen the filters."
            )
        self._file.close()
        return WriteSummary(
            self._path.stat().st_size,
            {self._main: self._written["invoices"], self._lines_table: self._written["lines"]},
        )

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()

    # -- one invoice -------------------------------------------------------------------------

    def _finish_invoice(self) -> None:
        if self._current is None:
            return
        record = self._invoices.pop(self._current)
        lines, self._pending, self._current = self._pending, [], None
        rows = _InvoiceLines(record, lines, self._layout, self._problems).rows()
        if self._problems:
            return  # the file will not be kept: checking the other invoices is all that is left
        assert self._file is not None
        self._file.write("".join(SEPARATOR.join(row) + END + NEWLINE for row in rows))
        self._written["invoices"] += 1
        self._written["lines"] += len(lines)


class _InvoiceLines:
    """One invoice as the lines of a LEDES file, and every problem with it."""

    def __init__(
        self, record: Record, lines: list[Record], layout: Layout, problems: _Problems
    ) -> None:
        self.record, self.lines, self.layout, self.problems = record, lines, layout, problems
        self.number = str(record["invoiceNumber"])
        self.version = layout.version

    def problem(self, where: str, field: str, message: str) -> None:
        self.problems.add(f"invoice {self.number}{where}: {field}: {message}")

    def rows(self) -> list[list[str]]:
        record = self.record
        self._check_invoice()
        dates = [line["date"] for line in self.lines if line["date"] is not None]
        start, end = (
            (min(dates), max(dates)) if dates else (record["issueDate"], record["issueDate"])
        )
        items = [self._line(n, line) for n, line in enumerate(self.lines, start=1)]
        if record["discount"]:
            items.append(self._discount(len(items) + 1, end))
        taxes = self._taxes(items)
        totals = [item.base + tax for item, tax in zip(items, taxes, strict=True)]
        invoice_total = sum(totals, ZERO)
        self._check_total(invoice_total, sum(taxes, ZERO))
        head = {
            "INVOICE_DATE": ledes_date(record["issueDate"]),
            "INVOICE_NUMBER": self.number,
            "CLIENT_ID": record["clientCode"] or "",
            "INVOICE_TOTAL": ledes_amount(invoice_total),
            "BILLING_START_DATE": ledes_date(start),
            "BILLING_END_DATE": ledes_date(end),
            "INVOICE_DESCRIPTION": f"Legal services from {_day(start)} to {_day(end)}",
            "LAW_FIRM_ID": record["firmTaxId"] or "",
            **self._international_head(invoice_total, sum(taxes, ZERO)),
        }
        rows = []
        for item, tax, total in zip(items, taxes, totals, strict=True):
            fields = {**head, **item.fields, "LINE_ITEM_TOTAL": ledes_amount(total)}
            if self.layout.carries_tax:
                fields["LINE_ITEM_TAX_TOTAL"] = ledes_amount(tax)
            rows.append(
                [
                    self._checked(item.name, name, fields.get(name, ""))
                    for name in self.layout.fields
                ]
            )
        return rows

    def _check_invoice(self) -> None:
        record = self.record
        if not record["firmTaxId"]:
            self.problems.add(
                "LAW_FIRM_ID: the firm has no tax id (a US firm's EIN, or its VAT number): "
                "record it as the firm's tax_id"
            )
        if not record["clientCode"]:
            self.problem("", "CLIENT_ID", f"client {record['clientName']!r} has no client code")
        if record["tax"] and not self.layout.carries_tax:
            self.problem(
                "", "tax", f"it carries tax of {ledes_amount(record['tax'])}, which LEDES 1998B "
                "cannot hold: export it as 1998BI"
            )  # fmt: skip
        if record["tax"] and self.layout.carries_tax and record["taxRate"] is None:
            self.problem("", "LINE_ITEM_TAX_RATE", "the invoice's tax rate is not recorded")
        stored = sum((line["amount"] for line in self.lines), ZERO)
        if stored != record["subtotal"]:
            self.problem(
                "", "subtotal", f"its lines add up to {ledes_amount(stored)}, its subtotal is "
                f"{ledes_amount(record['subtotal'])}"
            )  # fmt: skip

    def _check_total(self, invoice_total: Decimal, tax: Decimal) -> None:
        expected = self.record["subtotal"] - self.record["discount"]
        if self.layout.carries_tax:
            expected += self.record["tax"]
        if invoice_total != expected or (self.layout.carries_tax and tax != self.record["tax"]):
            self.problem(
                "", "INVOICE_TOTAL", f"the lines add up to {ledes_amount(invoice_total)}, the "
                f"ledger's invoice to {ledes_amount(expected)}"
            )  # fmt: skip
        elif expected != self.record["total"] and (
            self.layout.carries_tax or not self.record["tax"]
        ):
            self.problem(
                "", "total", f"the ledger's total {ledes_amount(self.record['total'])} is not "
                "subtotal - discount + tax"
            )  # fmt: skip

    def _line(self, number: int, line: Record) -> _Line:
        kind = LINE_TYPES.get(line["type"])
        name = f", line {number}"
        if kind is None:
            self.problem(name, "EXP/FEE/INV_ADJ_TYPE", f"a {line['type']!r} line has no LEDES type")
            kind = FEE
        units, unit_cost = line["quantity"], line["rate"]
        if kind == FEE_ADJUSTMENT:  # the amount is the adjustment (the LEDES rule for IF/IE)
            units, unit_cost = Decimal(1), ZERO
        if line["date"] is None:
            self.problem(name, "LINE_ITEM_DATE", "the line has no date")
        if units < 0:
            self.problem(name, "LINE_ITEM_NUMBER_OF_UNITS", f"negative units {units}")
        adjustment = line["amount"] - product(units, unit_cost)
        fields = {
            "LAW_FIRM_MATTER_ID": line["matterNumber"] or "",
            "CLIENT_MATTER_ID": line["clientMatterId"] or "",
            "LINE_ITEM_NUMBER": str(number),
            "EXP/FEE/INV_ADJ_TYPE": kind,
            "LINE_ITEM_NUMBER_OF_UNITS": ledes_amount(units),
            "LINE_ITEM_ADJUSTMENT_AMOUNT": ledes_amount(adjustment),
            "LINE_ITEM_DATE": ledes_date(line["date"] or self.record["issueDate"]),
            "LINE_ITEM_DESCRIPTION": " ".join((line["description"] or "").splitlines()),
            "LINE_ITEM_UNIT_COST": ledes_amount(unit_cost),
            "MATTER_NAME": line["matterName"] or "",
            **self._codes(name, kind, line),
            **self._timekeeper(name, kind, line),
        }
        if not line["matterNumber"]:
            self.problem(name, "LAW_FIRM_MATTER_ID", "the line has no matter")
        return _Line(fields, name, product(units, unit_cost) + adjustment)

    def _codes(self, name: str, kind: str, line: Record) -> dict[str, str]:
        required = bool(self.record["utbmsRequired"])
        task, activity, expense = line["taskCode"], line["activityCode"], line["expenseCode"]
        fields = {}
        if kind == FEE:
            if required and not task:
                self.problem(
                    name,
                    "LINE_ITEM_TASK_CODE",
                    "the client requires a UTBMS task code on every fee",
                )
            if task and task not in TASK_CODES:
                self.problem(name, "LINE_ITEM_TASK_CODE", f"{task!r} is not a UTBMS task code")
            if activity and activity not in ACTIVITY_CODES:
                self.problem(
                    name, "LINE_ITEM_ACTIVITY_CODE", f"{activity!r} is not a UTBMS activity code"
                )
            fields = {"LINE_ITEM_TASK_CODE": task or "", "LINE_ITEM_ACTIVITY_CODE": activity or ""}
        elif kind == EXPENSE:
            if required and not expense:
                self.problem(
                    name,
                    "LINE_ITEM_EXPENSE_CODE",
                    "the client requires a UTBMS expense code on every expense",
                )
            if expense and expense not in EXPENSE_CODES:
                self.problem(
                    name, "LINE_ITEM_EXPENSE_CODE", f"{expense!r} is not a UTBMS expense code"
                )
            fields = {"LINE_ITEM_EXPENSE_CODE": expense or ""}
        return fields

    def _timekeeper(self, name: str, kind: str, line: Record) -> dict[str, str]:
        if kind != FEE:
            return {}
        if line["timekeeperNumber"] is None and line["timekeeperName"] is None:
            self.problem(name, "TIMEKEEPER_ID", "a fee line has no timekeeper")
            return {}
        if not line["timekeeperNumber"]:
            self.problem(
                name,
                "TIMEKEEPER_ID",
                f"timekeeper {line['timekeeperName']!r} has no timekeeper number",
            )
        last, first = (
            line["timekeeperLastName"] or line["timekeeperName"],
            line["timekeeperFirstName"],
        )
        return {
            "TIMEKEEPER_ID": line["timekeeperNumber"] or "",
            "TIMEKEEPER_NAME": f"{last}, {first}" if first else str(last),
            "TIMEKEEPER_CLASSIFICATION": CLASSIFICATIONS[self.version].get(
                line["timekeeperRole"], ""
            ),
            "TIMEKEEPER_LAST_NAME": str(last),
            "TIMEKEEPER_FIRST_NAME": first or "",
        }

    def _discount(self, number: int, end: date) -> _Line:
        """The invoice's discount on fees as an invoice-level fee adjustment."""
        first = self.lines[0] if self.lines else {}
        amount = -self.record["discount"]
        fields = {
            "LAW_FIRM_MATTER_ID": first.get("matterNumber") or "",
            "CLIENT_MATTER_ID": first.get("clientMatterId") or "",
            "MATTER_NAME": first.get("matterName") or "",
            "LINE_ITEM_NUMBER": str(number),
            "EXP/FEE/INV_ADJ_TYPE": FEE_ADJUSTMENT,
            "LINE_ITEM_NUMBER_OF_UNITS": ledes_amount(Decimal(1)),
            "LINE_ITEM_ADJUSTMENT_AMOUNT": ledes_amount(amount),
            "LINE_ITEM_DATE": ledes_date(end),
            "LINE_ITEM_DESCRIPTION": "Discount on fees",
            "LINE_ITEM_UNIT_COST": ledes_amount(ZERO),
        }
        return _Line(fields, f", line {number}", amount)

    def _taxes(self, items: list[_Line]) -> list[Decimal]:
        tax = self.record["tax"] if self.layout.carries_tax else ZERO
        if not tax:
            return [ZERO] * len(items)
        weights = [int(item.base * 100) for item in items]
        if sum(weights) == 0:
            self.problem("", "INVOICE_TAX_TOTAL", "tax on an invoice whose lines add up to zero")
            return [ZERO] * len(items)
        return [Decimal(part) / 100 for part in split_cents(int(tax * 100), weights)]

    def _international_head(self, invoice_total: Decimal, tax: Decimal) -> dict[str, str]:
        if not self.layout.carries_tax:
            return {}
        record = self.record
        rate = record["taxRate"] if record["taxRate"] is not None else ZERO
        return {
            "CLIENT_TAX_ID": record["clientTaxId"] or "",
            "INVOICE_TAX_TOTAL": ledes_amount(tax),
            "INVOICE_NET_TOTAL": ledes_amount(invoice_total - tax),
            "INVOICE_CURRENCY": record["currency"],
            "ACCOUNT_TYPE": "O",  # the firm bills on its own account
            "LAW_FIRM_NAME": record["firmName"],
            "CLIENT_NAME": record["clientName"],
            "CLIENT_ADDRESS_1": record["clientAddress"] or "",
            "CLIENT_CITY": record["clientCity"] or "",
            "CLIENT_STATEorREGION": record["clientState"] or "",
            "CLIENT_POSTCODE": record["clientPostcode"] or "",
            "LINE_ITEM_TAX_RATE": ledes_rate(rate),
            "LINE_ITEM_TAX_TYPE": record["taxType"] or "",
            "INVOICE_REPORTED_TAX_TOTAL": ledes_amount(tax),
            "INVOICE_TAX_CURRENCY": record["currency"],
        }

    def _checked(self, where: str, field: str, value: str) -> str:
        if SEPARATOR in value or END in value:
            self.problem(
                where, field, f"{value!r} holds '{SEPARATOR}' or '{END}', which end a LEDES field"
            )
        if "\n" in value or "\r" in value:
            self.problem(where, field, "holds a line break")
        long = too_long(field, value)
        if long:
            self.problem(where, field, long)
        return value


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
