"""PDF: a landscape report drawn straight onto the ReportLab canvas, one line per row.

Platypus tables measure every cell and keep the whole table before laying it out (15x slower on
long tables, see PERFORMANCE.md); here each row is drawn as it arrives at precomputed x
positions, cut to one line. "Page X of Y" needs Y before it is known: every page draws
"Page X of " and places a form XObject that is defined once, at close, holding the count. No
page is kept aside to be redrawn. The title block's line of row counts is such a form too:
the counts are final only at close. The writer draws every row it is given; the engine keeps
the document one a person can read by its row cap, and the outcome says what was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from smarter_export.formats.describe import (
    EMPTY_TABLE_MESSAGE,
    export_zone,
    info_lines,
    outcome_summary,
)
from smarter_export.formats.pdf_layout import (
    BODY_SIZE,
    BOTTOM,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    ROW_HEIGHT,
    PlacedColumn,
    TablePlan,
)
from smarter_export.formats.pdf_text import BOLD, REGULAR, TextFitter, register_fonts
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary

DEFAULT_NOTICE = "Confidential: contains privileged and confidential client information."
PAGE_COUNT_FORM = "pageCount"
OUTCOME_FORM = "outcome"  # the title block's row counts, partial or not
NOT_SHOWN_MESSAGE = "Not shown: row limit reached."
GREY = Color(0.35, 0.35, 0.35)
SHADE = Color(0.94, 0.94, 0.94)
FOOTER_Y = 20.0
PAGE_LABEL_END = PAGE_WIDTH - MARGIN - 24  # "Page X of " ends here; the count follows


class PdfWriter:
    """Writes one landscape US-letter .pdf: title block, tables, totals, warnings."""

    def __init__(self, confidentiality_notice: str = DEFAULT_NOTICE) -> None:
        self._notice = confidentiality_notice
        self._canvas: Any = None
        self._plans: dict[str, TablePlan] = {}
        self._current: TablePlan | None = None
        self._pages = 0
        self._y = 0.0
        self._text: Any = None  # the page's one text object: far cheaper than one per cell
        self._tables: Sequence[TableSpec] = ()
        self._outcome: ExportOutcome | None = None  # known at close

    def open(self, path: Path, info: ExportInfo, tables: Sequence[TableSpec]) -> None:
        if not tables:
            raise ValueError("an export has at least one table")
        register_fonts()
        self._body = TextFitter(REGULAR, BODY_SIZE)
        self._bold = TextFitter(BOLD, BODY_SIZE)
        self._small = TextFitter(REGULAR, 7)
        self._firm = TextFitter(BOLD, 10)
        self._title = TextFitter(BOLD, 16)
        self._section = TextFitter(BOLD, 11)
        self._running_head = f"{info.firm_name} \u00b7 {info.title}"
        zone = export_zone(info)
        self._plans = {table.name: TablePlan(table, zone, self._body.width) for table in tables}
        self._titled = len(tables) > 1  # one table needs no heading besides the export's title
        self._tables, self._outcome = tables, None
        canvas = Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
        canvas.setTitle(info.title)
        canvas.setAuthor(info.firm_name)
        canvas.setSubject(info.source)
        canvas.setCreator("Smarter Export")
        self._canvas, self._path = canvas, path
        self._new_page()
        self._title_block(info)

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        plan = self._plans.get(table)
        if plan is None:
            raise ValueError(f"table {table!r} was not announced when the writer opened")
        if plan is not self._current:
            self._enter(plan)
        for row in batch:
            self._row(plan, row)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        self._outcome = outcome
        for plan in self._plans.values():
            if not plan.started:
                self._enter(plan)
        self._finish_current()
        self._warnings(outcome)
        self._end_page()
        canvas = self._canvas
        canvas.beginForm(PAGE_COUNT_FORM)
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(0, 0, str(self._pages))
        canvas.endForm()
        rows = {name: plan.rows for name, plan in self._plans.items()}
        canvas.beginForm(OUTCOME_FORM)
        canvas.setFont(REGULAR, BODY_SIZE)
        summary = outcome_summary(self._tables, outcome, rows)
        canvas.drawString(0, 0, self._body.fit(summary, PAGE_WIDTH - 2 * MARGIN))
        canvas.endForm()
        canvas.save()
        self._canvas = None
        return WriteSummary(self._path.stat().st_size, rows)

    def abort(self) -> None:
        # ReportLab keeps the document in memory until save(): dropping it frees everything.
        self._canvas = None
        self._text = None

    # Pages -------------------------------------------------------------------------------

    def _new_page(self) -> None:
        # Everything but the page label goes into the page's text object, in reading order,
        # so that copying, searching and screen readers meet the text as a person reads it.
        canvas = self._canvas
        self._pages += 1
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawRightString(PAGE_LABEL_END, FOOTER_Y, f"Page {self._pages} of ")
        canvas.saveState()
        canvas.translate(PAGE_LABEL_END + 1.5, FOOTER_Y)
        canvas.doForm(PAGE_COUNT_FORM)
        canvas.restoreState()
        canvas.setFillColor(black)
        self._text = canvas.beginText()
        self._text.setFont(REGULAR, BODY_SIZE)
        self._grey(self._running_head, PAGE_HEIGHT - 24)
        self._y = PAGE_HEIGHT - MARGIN

    def _end_page(self) -> None:
        self._grey(self._notice, FOOTER_Y)
        self._canvas.drawText(self._text)
        self._canvas.showPage()

    def _grey(self, text: str, baseline: float) -> None:
        self._text.setFillColor(GREY)
        self._put(
            self._small.fit(text, PAGE_LABEL_END - MARGIN - 70), MARGIN, baseline, self._small
        )
        self._text.setFillColor(black)

    def _make_room(self, height: float, plan: TablePlan | None = None) -> None:
        """Start a new page unless `height` points fit; a table's header follows it over."""
        if self._y - height >= BOTTOM:
            return
        self._end_page()
        self._new_page()
        if plan is not None:
            if self._titled:
                self._heading(f"{plan.table.title} (continued)")
            self._header(plan)

    # Blocks ------------------------------------------------------------------------------

    def _title_block(self, info: ExportInfo) -> None:
        room = PAGE_WIDTH - 2 * MARGIN
        self._put(self._firm.fit(info.firm_name, room), MARGIN, self._y - 10, self._firm)
        self._put(self._title.fit(info.title, room), MARGIN, self._y - 30, self._title)
        self._y -= 38
        for label, value in info_lines(info)[1:]:  # the firm is already the first line
            self._line(f"{label}: {value}")
        self._outcome_line()
        for note in info.notes:
            for piece in simpleSplit(note, REGULAR, BODY_SIZE, room):
                self._line(piece)
        self._y -= 8

    def _outcome_line(self) -> None:
        """Room for the row counts and partial or not: known at close, drawn then as a form."""
        self._make_room(ROW_HEIGHT)
        self._y -= ROW_HEIGHT
        self._canvas.saveState()
        self._canvas.translate(MARGIN, self._y + 3)
        self._canvas.doForm(OUTCOME_FORM)
        self._canvas.restoreState()

    def _line(self, text: str, fitter: TextFitter | None = None) -> None:
        fitter = fitter or self._body
        self._make_room(ROW_HEIGHT)
        self._y -= ROW_HEIGHT
        self._put(fitter.fit(text, PAGE_WIDTH - 2 * MARGIN), MARGIN, self._y + 3, fitter)

    def _heading(self, text: str) -> None:
        fitter = self._section
        self._put(fitter.fit(text, PAGE_WIDTH - 2 * MARGIN), MARGIN, self._y - 13, fitter)
        self._y -= 18

    def _header(self, plan: TablePlan) -> None:
        self._shade(self._y - 13, 13)
        for column in plan.columns:
            self._cell(column.label, column, self._y - 9.5, self._bold)
        self._y -= 13

    def _enter(self, plan: TablePlan) -> None:
        if plan.started:
            raise ValueError(f"rows of table {plan.table.name!r} arrived after a later table")
        self._finish_current()
        plan.started = True
        self._current = plan
        # A heading and header alone at the foot of a page are no use: keep three rows with them.
        self._make_room(18 + 13 + 3 * ROW_HEIGHT)
        if self._titled:
            self._heading(plan.table.title)
        self._header(plan)

    def _finish_current(self) -> None:
        plan = self._current
        if plan is None:
            return
        self._current = None
        if plan.rows == 0:
            # A table reached after the row cap was used up gets no rows, and is finished at close.
            matched = self._outcome.rows_matched.get(plan.table.name, 0) if self._outcome else 0
            self._line(NOT_SHOWN_MESSAGE if matched else EMPTY_TABLE_MESSAGE)
        elif plan.totals:
            self._make_room(ROW_HEIGHT + 2, plan)
            self._canvas.line(MARGIN, self._y - 1, PAGE_WIDTH - MARGIN, self._y - 1)
            self._y -= ROW_HEIGHT + 2
            for column, text in plan.total_cells():
                self._cell(text, column, self._y + 3, self._bold)
        self._y -= 10

    def _warnings(self, outcome: ExportOutcome) -> None:
        warnings = list(outcome.warnings)
        if outcome.partial and not warnings:
            warnings.append("This export is partial: some rows are missing.")
        if not warnings:
            return
        self._line("Warnings", self._bold)
        for warning in warnings:
            for piece in simpleSplit(warning, REGULAR, BODY_SIZE, PAGE_WIDTH - 2 * MARGIN):
                self._line(piece)

    def _shade(self, bottom: float, height: float) -> None:
        # Text is drawn at the page's end from its text object, which sets its own colour, so
        # the band lies under the text whatever the order of the calls.
        self._canvas.setFillColor(SHADE)
        self._canvas.rect(MARGIN, bottom, PAGE_WIDTH - 2 * MARGIN, height, stroke=0, fill=1)
        self._canvas.setFillColor(black)

    # Rows and cells ----------------------------------------------------------------------

    def _row(self, plan: TablePlan, row: Row) -> None:
        if self._y - ROW_HEIGHT < BOTTOM:
            self._make_room(ROW_HEIGHT, plan)
        self._y -= ROW_HEIGHT
        if plan.rows % 2:
            self._shade(self._y, ROW_HEIGHT)
        baseline = self._y + 3
        body = self._body
        for column in plan.columns:
            value = row[column.index]
            if value is not None:
                self._cell(column.render(value), column, baseline, body)
        plan.add_to_totals(row)
        plan.rows += 1

    def _cell(self, text: str, column: PlacedColumn, baseline: float, fitter: TextFitter) -> None:
        if not text:
            return
        if not column.numeric:
            self._put(fitter.fit(text, column.room), column.left, baseline, fitter)
            return
        width = fitter.width(text)
        if width <= column.room:
            self._put(text, column.right - width, baseline, fitter)
            return
        # A number cut short would read as another number: it is set smaller until it fits.
        text_object = self._text
        text_object.setTextOrigin(column.left, baseline)
        text_object.setFont(fitter.font_name, fitter.size * column.room / width)
        text_object.textOut(text)
        text_object.setFont(REGULAR, BODY_SIZE)

    def _put(self, text: str, x: float, baseline: float, fitter: TextFitter) -> None:
        text_object = self._text
        text_object.setTextOrigin(x, baseline)
        if fitter.single_font(text):
            if fitter is self._body:
                text_object.textOut(text)
                return
            text_object.setFont(fitter.font_name, fitter.size)
            text_object.textOut(text)
        else:
            for font_name, run in fitter.runs(text):
                text_object.setFont(font_name, fitter.size)
                text_object.textOut(run)
        text_object.setFont(REGULAR, BODY_SIZE)  # the body font is the text object's resting state
