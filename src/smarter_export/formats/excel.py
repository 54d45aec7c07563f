"""Excel: typed cells through XlsxWriter in constant_memory mode, an info sheet, split sheets.

constant_memory keeps one row in memory, so rows must go out in ascending order, sheet by sheet.
The workbook opens on its data: the main table's sheet is the first tab (and the active one),
child tables follow, and the "Export info" sheet comes last, made at close when the row counts
and warnings are known (its name is claimed at open, so no table can take it). Autofilters,
widths, frozen panes and print settings are sheet metadata, written when the workbook closes,
so they can be set whenever a sheet's row count is known.

XlsxWriter's own cost (about 14k rows/s) dominates; the work here per cell is one bound-method
call chosen at sheet start, never the type dispatch of the generic `write()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from xlsxwriter import Workbook

from smarter_export.formats.describe import export_zone, info_lines, outcome_lines
from smarter_export.formats.excel_print import PageSetup
from smarter_export.formats.excel_sheets import (
    EXCEL_MAX_DATA_ROWS,
    SheetNames,
    TableSheets,
    TypedFormats,
)
from smarter_export.formats.safety import neutralise
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Never let a cell's text become a formula, a link or a number: types come from the column.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
    # Timestamps are converted to the firm's zone before writing; Excel has no zones.
    "remove_timezone": True,
}


INFO_SHEET = "Export info"


class ExcelWriter:
    """Writes one .xlsx: each table on its own sheet(s), main table first, "Export info" last."""

    sheets_class: ClassVar[type[TableSheets]] = TableSheets

    def __init__(self, rows_per_sheet: int = EXCEL_MAX_DATA_ROWS) -> None:
        if not 1 <= rows_per_sheet <= EXCEL_MAX_DATA_ROWS:
            raise ValueError(f"rows_per_sheet must be between 1 and {EXCEL_MAX_DATA_ROWS:,}")
        self._rows_per_sheet = rows_per_sheet
        self._path: Path | None = None
        self._info: ExportInfo | None = None
        self._workbook: Any = None
        self._info_sheet_name = ""
        self._page: PageSetup | None = None
        self._formats: TypedFormats | None = None
        self._names = SheetNames()
        self._tables: list[TableSpec] = []
        self._sheets: dict[str, TableSheets] = {}
        self._current: TableSheets | None = None

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        if not tables:
            raise ValueError("an export has at least one table")
        self._path, self._info, self._tables = path, info, list(tables)
        self._workbook = self._new_workbook(path)
        self._formats = TypedFormats(self._workbook, info.currency)
        self._info_sheet_name = self._names.claim(INFO_SHEET)
        self._page = PageSetup.of(info)
        zone = export_zone(info)
        self._sheets = {
            table.name: self.sheets_class(
                self._workbook,
                self._formats,
                self._names,
                table,
                zone=zone,
                rows_per_sheet=self._rows_per_sheet,
                page=self._page,
            )
            for table in tables
        }

    def _new_workbook(self, path: Path) -> Any:
        return Workbook(str(path), WORKBOOK_OPTIONS)

    def _finish_workbook(self) -> int:
        """Write the file out; its size in bytes."""
        self._workbook.close()
        assert self._path is not None
        return self._path.stat().st_size

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        sheets = self._sheets.get(table)
        if sheets is None:
            raise ValueError(f"table {table!r} was not announced when the writer opened")
        if sheets is not self._current:
            self._start(sheets)
        sheets.write(batch)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        # Tables that never received a row still get their sheet, header and a word about it.
        for table in self._tables:
            sheets = self._sheets[table.name]
            if not sheets.started:
                self._start(sheets)
        if self._current is not None:
            self._current.finish()
        rows = {name: sheets.rows for name, sheets in self._sheets.items()}
        self._fill_info_sheet(outcome, rows)
        size = self._finish_workbook()
        self._workbook = None
        return WriteSummary(size, rows)

    def abort(self) -> None:
        """Drop the temporary row files instead of assembling a workbook nobody will read."""
        if self._workbook is None:
            return
        for worksheet in self._workbook.worksheets():
            # XlsxWriter has no public way to discard a constant_memory workbook; these are
            # the temp file it opens per sheet, and both attributes exist since version 1.0.
            handle = getattr(worksheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()
            name = getattr(worksheet, "row_data_filename", None)
            if name:
                Path(name).unlink(missing_ok=True)
        self._workbook = None

    def _start(self, sheets: TableSheets) -> None:
        """Tables arrive in order: finishing the current one before the next keeps memory flat."""
        if sheets.started:
            raise ValueError(f"rows of table {sheets.table.name!r} arrived after a later table")
        if self._current is not None:
            self._current.finish()
        for earlier in self._tables[: self._tables.index(sheets.table)]:
            skipped = self._sheets[earlier.name]
            if not skipped.started:
                skipped.start()
                skipped.finish()
        sheets.start()
        self._current = sheets

    def _fill_info_sheet(self, outcome: ExportOutcome, rows: dict[str, int]) -> None:
        assert self._info is not None
        assert self._formats is not None
        assert self._page is not None
        sheet, bold = self._workbook.add_worksheet(self._info_sheet_name), self._formats.bold
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 90)
        self._page.apply(sheet, landscape=False, title_rows=0)
        sheet.write_string(0, 0, neutralise(self._info.title), self._formats.title)
        lines = info_lines(self._info)
        lines.extend((f"Note {number}", note) for number, note in enumerate(self._info.notes, 1))
        lines.extend(outcome_lines(self._tables, outcome, rows))
        lines.extend(("Warning", warning) for warning in outcome.warnings)
        for row, (label, value) in enumerate(lines, start=2):
            # Filter values and notes come from people: neutralised like any other text.
            sheet.write_string(row, 0, neutralise(label), bold)
            sheet.write_string(row, 1, neutralise(value))
