"""A streamed workbook with the small part of XlsxWriter's API that our Excel writer uses.

`add_format`, `add_worksheet`, and on a sheet `set_column`, `write_string`, `write_number`,
`freeze_panes`, `autofilter` and the print settings of `excel_print` (`set_landscape`,
`fit_to_pages`, `repeat_rows`, `set_footer`...) behave as in XlsxWriter's constant_memory mode
(rows in ascending order, the current row kept until a later one starts), so `ExcelWriter`'s
layout code (info sheet, headers, totals, continuation sheets, printing) drives either. Bulk
rows arrive as ready XML (`write_rows_xml`), rendered by `xlsx_rows`.

A sheet is streamed into the package when its first finished row arrives, and ends when another
sheet starts streaming or the workbook closes; so sheets fill one after the other, as the engine
sends tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from smarter_export.formats.xlsx_package import ENTRY_LIMIT_BYTES, DeflateStream, WorkbookPackage
from smarter_export.formats.xlsx_page import PrintSettings
from smarter_export.formats.xlsx_styles import CellStyle, StyleSheet
from smarter_export.formats.xlsx_xml import (
    MAIN_NS,
    REL_NS,
    XML_HEAD,
    column_letter,
    content_types,
    inline_text,
    package_relationships,
    stored_width,
    workbook,
    workbook_relationships,
)


class StreamingWorkbook:
    def __init__(self, path: Path, entry_limit_bytes: int = ENTRY_LIMIT_BYTES) -> None:
        self._package = WorkbookPackage(path, entry_limit_bytes)
        self._styles = StyleSheet()
        self._sheets: list[StreamingSheet] = []
        self._streaming: StreamingSheet | None = None

    def add_format(self, properties: Mapping[str, object] | None = None) -> CellStyle:
        return self._styles.add_format(properties)

    def add_worksheet(self, name: str) -> StreamingSheet:
        sheet = StreamingSheet(self, name, len(self._sheets) + 1)
        self._sheets.append(sheet)
        return sheet

    def worksheets(self) -> list[StreamingSheet]:
        return list(self._sheets)

    def close(self) -> int:
        """Finish the workbook; the file's size in bytes."""
        for sheet in self._sheets:
            if not sheet.ended:
                self.stream_for(sheet)  # starts it if it never streamed, ends the one before
        self._end_streaming()
        names = [sheet.name for sheet in self._sheets]
        filters = {n: s.filter_range for n, s in enumerate(self._sheets) if s.filter_range}
        titles = {n: s.print.title_rows for n, s in enumerate(self._sheets) if s.print.title_rows}
        self._package.write_part("xl/workbook.xml", workbook(names, filters, titles))
        self._package.write_part("xl/styles.xml", self._styles.xml())
        self._package.write_part("xl/_rels/workbook.xml.rels", workbook_relationships(len(names)))
        self._package.write_part("_rels/.rels", package_relationships())
        self._package.write_part("[Content_Types].xml", content_types(len(names)))
        return self._package.close()

    def discard(self) -> None:
        self._package.discard()

    def stream_for(self, sheet: StreamingSheet) -> DeflateStream:
        """The open stream of `sheet`, ending the sheet streamed before it."""
        if sheet.ended:
            raise ValueError(f"sheet {sheet.name!r} is already written")
        if self._streaming is not sheet:
            self._end_streaming()
            sheet.stream = self._package.open_stream(f"xl/worksheets/sheet{sheet.number}.xml")
            sheet.stream.write(sheet.prologue())
            self._streaming = sheet
        assert sheet.stream is not None
        return sheet.stream

    def _end_streaming(self) -> None:
        if self._streaming is not None:
            self._streaming.end()
            self._streaming = None


class StreamingSheet:
    def __init__(self, book: StreamingWorkbook, name: str, number: int) -> None:
        self.name, self.number = name, number
        self.stream: DeflateStream | None = None
        self.ended = False
        self.filter_range = ""  # "$A$1:$M$20", for the workbook's defined name
        self._book = book
        self._columns: dict[int, float] = {}
        self._frozen_rows = 0
        self.print = PrintSettings()
        self._filter = ""
        self._row = -1  # the row whose cells are kept until a later row starts
        self._cells: dict[int, str] = {}

    # -- XlsxWriter's calls ----------------------------------------------------------------

    def set_column(self, first: int, last: int, width: float) -> None:
        for column in range(first, last + 1):
            self._columns[column] = width

    def freeze_panes(self, rows: int, columns: int) -> None:
        if columns:
            raise ValueError("only rows are frozen in our workbooks")
        self._frozen_rows = rows

    def autofilter(
        self, first_row: int, first_column: int, last_row: int, last_column: int
    ) -> None:
        first, last = column_letter(first_column), column_letter(last_column)
        self._filter = f"{first}{first_row + 1}:{last}{last_row + 1}"
        self.filter_range = f"${first}${first_row + 1}:${last}${last_row + 1}"

    def set_landscape(self) -> None:
        self.print.orientation = "landscape"

    def set_portrait(self) -> None:
        self.print.orientation = "portrait"

    def fit_to_pages(self, width: int, height: int) -> None:
        self.print.fit = (width, height)

    def repeat_rows(self, first_row: int, last_row: int | None = None) -> None:
        last = first_row if last_row is None else last_row
        self.print.title_rows = f"${first_row + 1}:${last + 1}"

    def hide_gridlines(self, option: int = 1) -> None:
        self.print.gridlines = option == 0

    def set_header(self, text: str) -> None:
        self.print.header = text

    def set_footer(self, text: str) -> None:
        self.print.footer = text

    def write_string(
        self, row: int, column: int, text: str, style: CellStyle | None = None
    ) -> None:
        attribute = style.attribute if style else ""
        self._cell(row, column, f'{attribute} t="inlineStr">{inline_text(text)}</c>')

    def write_number(self, row: int, column: int, number: float, style: CellStyle) -> None:
        self._cell(row, column, f"{style.attribute}><v>{number:.16G}</v></c>")

    # -- bulk rows ---------------------------------------------------------------------------

    def room_for(self, size: int) -> bool:
        return self.stream is None or self.stream.room_for(size)

    def write_rows_xml(self, xml: str, first_row: int, last_row: int) -> None:
        """Rows rendered elsewhere: rows `first_row` to `last_row` (0-based) of this sheet."""
        if first_row <= self._row:
            raise ValueError("rows must be written in ascending order")
        stream = self._book.stream_for(self)
        self._flush_row(stream)
        stream.write(xml)
        self._row = last_row

    # -- the part ----------------------------------------------------------------------------

    def prologue(self) -> str:
        pane = ""
        if self._frozen_rows:
            top = f"A{self._frozen_rows + 1}"
            pane = (
                f'<pane ySplit="{self._frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft"/>'
            )
        selected = ' tabSelected="1"' if self.number == 1 else ""
        view = f'<sheetView{selected} workbookViewId="0">{pane}</sheetView>'
        columns = "".join(
            f'<col min="{first + 1}" max="{last + 1}" width="{stored_width(width):.16g}" '
            'customWidth="1"/>'
            for first, last, width in _column_runs(self._columns)
        )
        return (
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"{self.print.sheet_properties()}"
            f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{columns}</cols>' if columns else ''}<sheetData>"
        )

    def end(self) -> None:
        assert self.stream is not None
        self._flush_row(self.stream)
        autofilter = f'<autoFilter ref="{self._filter}"/>' if self._filter else ""
        self.stream.write(f"</sheetData>{autofilter}{self.print.xml()}</worksheet>")
        self.stream = None
        self.ended = True

    def _cell(self, row: int, column: int, rest: str) -> None:
        if row < self._row:
            raise ValueError("rows must be written in ascending order")
        if row > self._row:
            if self._cells:
                self._flush_row(self._book.stream_for(self))
            self._row = row
        self._cells[column] = f'<c r="{column_letter(column)}{row + 1}"{rest}'

    def _flush_row(self, stream: DeflateStream) -> None:
        if self._cells:
            cells = "".join(self._cells[n] for n in sorted(self._cells))
            stream.write(f'<row r="{self._row + 1}">{cells}</row>')
            self._cells = {}


def _column_runs(widths: dict[int, float]) -> list[tuple[int, int, float]]:
    """Neighbouring columns of one width as one (first, last, width) run, as XlsxWriter does."""
    runs: list[tuple[int, int, float]] = []
    for column in sorted(widths):
        width = widths[column]
        if runs and runs[-1][1] == column - 1 and runs[-1][2] == width:
            runs[-1] = (runs[-1][0], column, width)
        else:
            runs.append((column, column, width))
    return runs
