"""The sheets of one exported table in a workbook: typed cells, continuation sheets, totals.

Everything per cell is decided once per sheet: each column gets the bound XlsxWriter method for
its kind, its number format and, where the value needs one, a converter. The row loop then only
looks values up and calls; it never inspects a value's type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from operator import itemgetter
from typing import Any

from smarter_export.formats.describe import EMPTY_TABLE_MESSAGE
from smarter_export.formats.excel_charts import ChartRows, add_chart
from smarter_export.formats.excel_print import PageSetup, is_wide
from smarter_export.formats.safety import neutralise
from smarter_export.tabular import ColumnKind, ExportColumn, Row, TableSpec

EXCEL_MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows a sheet, one of them the header
SHEET_NAME_LIMIT = 31
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

# Default number formats per kind; ExportColumn.excel_format overrides them.
KIND_FORMATS: dict[ColumnKind, str | None] = {
    ColumnKind.TEXT: None,
    ColumnKind.ID: None,
    ColumnKind.INTEGER: None,  # General: a count or a year reads best as typed
    ColumnKind.DECIMAL: "#,##0.00",
    ColumnKind.MONEY: None,  # from the export's currency, see money_format()
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm:ss",
    ColumnKind.BOOLEAN: None,
}


def money_format(currency: str) -> str:
    """ "$"#,##0.00 for US dollars; other currencies show their ISO code: 1,234.50 "EUR".

    An ISO code is unambiguous where a symbol is not ($ is also CAD, AUD...), and it needs no
    per-currency table to maintain.
    """
    code = re.sub(r"[^A-Za-z]", "", currency).upper() or "USD"
    if code == "USD":
        return '"$"#,##0.00'
    return f'#,##0.00 "{code}"'


class SheetNames:
    """Hands out sheet names Excel accepts: 31 characters, no []:*?/\\, unique ignoring case.

    "History" is reserved by Excel; a name may not start or end with an apostrophe.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, title: str, suffix: str = "") -> str:
        # A space where a character was refused keeps "fees/costs" two words.
        spaced = " ".join(_INVALID_SHEET_CHARACTERS.sub(" ", title).split())
        base = spaced.strip("'").strip() or "Sheet"
        for attempt in range(1, 1000):
            extra = suffix if attempt == 1 else f"{suffix} ~{attempt}"
            name = base[: SHEET_NAME_LIMIT - len(extra)].rstrip().strip("'") + extra
            if name.lower() not in self._taken and name.lower() != "history":
                self._taken.add(name.lower())
                return name
        raise ValueError(f"no free sheet name for {title!r}")


class TypedFormats:
    """The workbook's cell formats, made once each (Excel caps a workbook at 64,000 formats)."""

    def __init__(self, workbook: Any, currency: str) -> None:
        self._workbook = workbook
        self._money = money_format(currency)
        self.currency = currency
        self._cache: dict[tuple[str | None, bool], Any] = {}
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        # Wrapped: a label longer than its column shows whole, on screen and printed.
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.note = workbook.add_format({"italic": True})

    def number_format(self, column: ExportColumn) -> str | None:
        if column.excel_format:
            return column.excel_format
        if not column.grouped and column.kind == ColumnKind.INTEGER:
            return "0"  # a year or a numeric id, said so: no grouping whatever the default
        if column.kind == ColumnKind.MONEY:
            return self._money
        return KIND_FORMATS[column.kind]

    def cell(self, column: ExportColumn, bold: bool = False) -> Any:
        key = (self.number_format(column), bold)
        if key not in self._cache:
            properties: dict[str, object] = {}
            if key[0]:
                properties["num_format"] = key[0]
            if bold:
                properties["bold"] = True
            self._cache[key] = self._workbook.add_format(properties) if properties else None
        return self._cache[key]


Converter = Callable[[Any], Any]


class TableSheets:
    """One table's sheet, and its continuation sheets once a sheet holds rows_per_sheet rows."""

    def __init__(
        self,
        workbook: Any,
        formats: TypedFormats,
        names: SheetNames,
        table: TableSpec,
        *,
        zone: tzinfo,
        rows_per_sheet: int,
        page: PageSetup,
    ) -> None:
        self.table = table
        self._page = page
        self.rows = 0
        self.started = False
        self._workbook, self._formats, self._names, self._zone = workbook, formats, names, zone
        self._totals = {i: Decimal(0) for i, column in enumerate(table.columns) if column.total}
        # The totals row must fit below the last data row of a full sheet.
        self._limit = min(rows_per_sheet, EXCEL_MAX_DATA_ROWS - (1 if self._totals else 0))
        self._sheet: Any = None
        self._sheet_count = 0
        self._sheet_rows = 0
        self._chart = ChartRows.of(table)  # the rows it draws, noted as they are written
        self._converted: list[tuple[int, Any, Any, Converter]] = []
        self._direct: list[tuple[int, Any, Any]] = []

    def start(self) -> None:
        self.started = True
        self._new_sheet()

    def write(self, batch: Sequence[Row]) -> None:
        self.rows += len(batch)
        for index in self._totals:
            # filter(None) drops None and zeros alike, and zeros add nothing.
            self._totals[index] += sum(filter(None, map(itemgetter(index), batch)), Decimal(0))
        done = 0
        while done < len(batch):
            room = self._limit - self._sheet_rows
            if room == 0:
                self._close_sheet()
                self._new_sheet()
                room = self._limit
            chunk = batch if done == 0 and len(batch) <= room else batch[done : done + room]
            if self._chart is not None and self._sheet_count == 1:
                for offset, row in enumerate(chunk, start=self._sheet_rows + 1):
                    self._chart.add(offset, row)
            self._write_chunk(chunk)
            done += len(chunk)

    def finish(self) -> None:
        if self.rows == 0:
            self._sheet.write_string(1, 0, EMPTY_TABLE_MESSAGE, self._formats.note)
        elif self._totals:
            self._write_totals(self._sheet_rows + 1)
        if self._chart is not None and self._sheet_count == 1:
            add_chart(self._workbook, self._sheet, self.table, self._chart, self._formats.currency)
        self._close_sheet()

    def _write_chunk(self, rows: Sequence[Row]) -> None:
        converted, direct = self._converted, self._direct
        row_number = self._sheet_rows
        for row in rows:
            row_number += 1
            for index, write, cell_format, convert in converted:
                value = row[index]
                if value is not None:
                    write(row_number, index, convert(value), cell_format)
            for index, write, cell_format in direct:
                value = row[index]
                if value is not None:
                    write(row_number, index, value, cell_format)
        self._sheet_rows = row_number

    def _new_sheet(self) -> None:
        self._sheet_count += 1
        suffix = "" if self._sheet_count == 1 else f" ({self._sheet_count})"
        sheet = self._workbook.add_worksheet(self._names.claim(self.table.title, suffix))
        header = self._formats.header
        for index, column in enumerate(self.table.columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, column.label, header)
        sheet.freeze_panes(1, 0)
        # A table drawn with its chart beside it needs a landscape page's width too.
        wide = is_wide(self.table.columns) or self._chart is not None
        self._page.apply(sheet, landscape=wide)
        self._sheet, self._sheet_rows = sheet, 0
        self._plan(sheet)

    def _plan(self, sheet: Any) -> None:
        zone = self._zone

        def in_firm_zone(value: datetime) -> datetime:
            return value.astimezone(zone)

        self._converted, self._direct = [], []
        for index, column in enumerate(self.table.columns):
            cell_format = self._formats.cell(column)
            kind = column.kind
            if kind in (ColumnKind.TEXT, ColumnKind.ID):
                self._converted.append((index, sheet.write_string, cell_format, neutralise))
            elif kind in (ColumnKind.DECIMAL, ColumnKind.MONEY, ColumnKind.PERCENT):
                self._converted.append((index, sheet.write_number, cell_format, float))
            elif kind == ColumnKind.DATETIME:
                self._converted.append((index, sheet.write_datetime, cell_format, in_firm_zone))
            elif kind == ColumnKind.INTEGER:
                self._direct.append((index, sheet.write_number, cell_format))
            elif kind == ColumnKind.DATE:
                self._direct.append((index, sheet.write_datetime, cell_format))
            else:
                self._direct.append((index, sheet.write_boolean, cell_format))

    def _write_totals(self, row_number: int) -> None:
        sheet, columns = self._sheet, self.table.columns
        if 0 not in self._totals:
            sheet.write_string(row_number, 0, "Total", self._formats.bold)
        for index, total in self._totals.items():
            sheet.write_number(
                row_number, index, float(total), self._formats.cell(columns[index], bold=True)
            )

    def _close_sheet(self) -> None:
        # Over the header and the data only: a totals row must not be sorted into the data.
        self._sheet.autofilter(0, 0, self._sheet_rows, len(self.table.columns) - 1)
