"""Excel for record exports, fast: the same workbook as `ExcelWriter`, streamed without XlsxWriter.

`ExcelWriter` lays the workbook out (info sheet, headers, widths, totals, continuation sheets)
through XlsxWriter's API; here the same layout code drives `StreamingWorkbook`, and the rows,
which are nearly all of the work, skip the per-cell API: each batch becomes XML in one call of
a function compiled for the table (`xlsx_rows`), and is compressed on a second thread.
XlsxWriter stays the reference (and the writer of analytics workbooks, which carry charts);
`tests/formats/test_excel_fidelity.py` holds the two to the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_sheets import EXCEL_MAX_DATA_ROWS, TableSheets
from smarter_export.formats.xlsx_package import ENTRY_LIMIT_BYTES
from smarter_export.formats.xlsx_rows import CellPlan, RowRenderer, compile_renderer
from smarter_export.formats.xlsx_workbook import StreamingWorkbook
from smarter_export.tabular import Row

# UTF-8 takes at most 4 bytes per character of a Python string: the bound used to decide,
# before writing a batch, whether it still fits in the sheet's ZIP entry.
_MAX_BYTES_PER_CHARACTER = 4


class StreamingTableSheets(TableSheets):
    """TableSheets whose rows are rendered a batch at a time instead of cell by cell."""

    _render: RowRenderer | None = None

    def _plan(self, sheet: Any) -> None:
        if self._render is None:
            plans = []
            for column in self.table.columns:
                style = self._formats.cell(column)
                plans.append(CellPlan(column.kind, style.attribute if style else ""))
            self._render = compile_renderer(plans, self._zone)

    def _write_chunk(self, rows: Sequence[Row]) -> None:
        assert self._render is not None
        xml = self._render(rows, self._sheet_rows + 1)
        if not self._sheet.room_for(len(xml) * _MAX_BYTES_PER_CHARACTER):
            # The sheet's ZIP entry would pass 2 GiB, which needs ZIP64: continue on a new sheet.
            self._close_sheet()
            self._new_sheet()
            xml = self._render(rows, self._sheet_rows + 1)
        first = self._sheet_rows + 1
        self._sheet.write_rows_xml(xml, first, self._sheet_rows + len(rows))
        self._sheet_rows += len(rows)


class StreamingExcelWriter(ExcelWriter):
    sheets_class = StreamingTableSheets

    def __init__(
        self,
        rows_per_sheet: int = EXCEL_MAX_DATA_ROWS,
        *,
        sheet_bytes_limit: int = ENTRY_LIMIT_BYTES,
    ) -> None:
        super().__init__(rows_per_sheet)
        self._sheet_bytes_limit = sheet_bytes_limit

    def _new_workbook(self, path: Path) -> Any:
        return StreamingWorkbook(path, self._sheet_bytes_limit)

    def _finish_workbook(self) -> int:
        # Measured on the open file: the path may be gone (a caller that stopped waiting).
        size: int = self._workbook.close()
        return size

    def abort(self) -> None:
        if self._workbook is not None:
            self._workbook.discard()
            self._workbook = None
