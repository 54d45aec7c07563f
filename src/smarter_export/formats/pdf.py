"""PDF: a report drawn straight onto the ReportLab canvas, row by row as the rows arrive.

Platypus tables measure every cell and keep the whole table before laying it out (15x slower on
long tables, see PERFORMANCE.md); here a table's columns are sized once on its first batch
(pdf_layout.py), on a portrait or a landscape page, and each row is then drawn as it arrives at
those x positions, on as many lines as its longest cell needs. "Page X of Y" needs Y before it
is known: every page draws "Page X of " and places a form XObject that is defined once, at
close, holding the count. No page is kept aside to be redrawn. The title block's line of row
counts is such a form too: the counts are final only at close. The writer draws every row it is
given; the engine keeps the document one a person can read by its row cap, and the outcome says
what was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from smarter_export.formats.chart_data import ChartData
from smarter_export.formats.describe import (
    EMPTY_TABLE_MESSAGE,
    export_zone,
    info_lines,
    outcome_summary,
)
from smarter_export.formats.pdf_chart import chart_height, draw_chart
from smarter_export.formats.pdf_layout import (
    BODY_SIZE,
    BOTTOM,
    MARGIN,
    ROW_HEIGHT,
    PageSize,
    Placed,
    PlacedColumn,
    TablePlan,
)
from smarter_export.formats.pdf_stream import PageText, deflate_finished_page
from smarter_export.formats.pdf_text import BOLD, REGULAR, TextFitter, register_fonts
from smarter_export.tabular import ExportInfo, ExportOutcome, Row, TableSpec, WriteSummary

DEFAULT_NOTICE = "Confidential: contains privileged and confidential client information."
PAGE_COUNT_FORM = "pageCount"
OUTCOME_FORM = "outcome"  # the title block's row counts, partial or not
NOT_SHOWN_MESSAGE = "Not shown: row limit reached."
GREY = Color(0.35, 0.35, 0.35)
SHADE = Color(0.94, 0.94, 0.94)
SHADE_RGB = f"{SHADE.red:g} {SHADE.green:g} {SHADE.blue:g}"
FOOTER_Y = 20.0
PAGE_COUNT_ROOM = 24.0  # "Page X of " ends this far from the margin; the count follows
HEADING_HEIGHT = 18.0
PLACED_LIMIT = 5_000  # distinct values of one column kept laid out (pdf_layout.PlacedColumn)


class PdfWriter:
    """Writes one US-letter .pdf: title block, tables, totals, warnings."""

    def __init__(self, confidentiality_notice: str = DEFAULT_NOTICE) -> None:
        self._notice = confidentiality_notice
        self._canvas: Any = None
        self._plans: dict[str, TablePlan] = {}
        self._current: TablePlan | None = None
        self._pages = 0
        self._page_size: PageSize | None = None  # none until the first table is sized
        self._y = 0.0
        self._text: PageText | None = None  # the page's text, one block: see pdf_stream.py
        self._tables: Sequence[TableSpec] = ()
        self._outcome: ExportOutcome | None = None  # known at close
        self._outcome_width = 0.0  # the title block's width, where the row counts go

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
        self._plans = {table.name: TablePlan(table, zone) for table in tables}
        self._titled = len(tables) > 1  # one table needs no heading besides the export's title
        self._tables, self._outcome = tables, None
        canvas = Canvas(str(path), pageCompression=1)
        canvas.setTitle(info.title)
        canvas.setAuthor(info.firm_name)
        canvas.setSubject(info.source)
        canvas.setCreator("Smarter Export")
        self._canvas, self._path, self._info = canvas, path, info
        self._text = PageText(canvas)
        # The first page waits for the first table's rows: they decide its orientation.

    def write_rows(self, table: str, batch: Sequence[Row]) -> None:
        plan = self._plans.get(table)
        if plan is None:
            raise ValueError(f"table {table!r} was not announced when the writer opened")
        if plan.held is not None:  # its chart goes above it: drawn once all its rows are in
            plan.held.extend(batch)
            return
        self._release_held()
        if plan is not self._current:
            self._enter(plan, batch)
        for row in batch:
            self._row(plan, row)

    def close(self, outcome: ExportOutcome) -> WriteSummary:
        self._outcome = outcome
        self._release_held()
        for plan in self._plans.values():
            if not plan.started:
                self._enter(plan, ())
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
        canvas.drawString(0, 0, self._body.fit(summary, self._outcome_width))
        canvas.endForm()
        canvas.save()
        self._canvas = None
        return WriteSummary(self._path.stat().st_size, rows)

    def abort(self) -> None:
        # ReportLab keeps the document in memory until save(): dropping it frees everything.
        self._canvas = None
        self._text = None

    # Pages -------------------------------------------------------------------------------

    @property
    def _width(self) -> float:
        assert self._page_size is not None
        return self._page_size[0]

    def _new_page(self, size: PageSize) -> None:
        # Everything but the page label goes into the page's text object, in reading order,
        # so that copying, searching and screen readers meet the text as a person reads it.
        canvas = self._canvas
        self._pages += 1
        self._page_size = size
        canvas.setPageSize(size)
        label_end = size[0] - MARGIN - PAGE_COUNT_ROOM
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(GREY)
        canvas.drawRightString(label_end, FOOTER_Y, f"Page {self._pages} of ")
        canvas.saveState()
        canvas.translate(label_end + 1.5, FOOTER_Y)
        canvas.doForm(PAGE_COUNT_FORM)
        canvas.restoreState()
        canvas.setFillColor(black)
        self._page_text.begin()
        self._grey(self._running_head, size[1] - 24)
        self._y = size[1] - MARGIN

    def _end_page(self) -> None:
        self._grey(self._notice, FOOTER_Y)
        self._page_text.finish()
        self._canvas.showPage()
        deflate_finished_page(self._canvas)

    def _grey(self, text: str, baseline: float) -> None:
        self._page_text.color(GREY)
        self._put(
            self._small.fit(text, self._width - 2 * MARGIN - PAGE_COUNT_ROOM - 70),
            MARGIN,
            baseline,
            self._small,
        )
        self._page_text.color(black)

    def _make_room(self, height: float, plan: TablePlan | None = None) -> None:
        """Start a new page unless `height` points fit; a table's header follows it over."""
        if self._y - height >= BOTTOM:
            return
        self._end_page()
        assert self._page_size is not None
        self._new_page(plan.page if plan is not None else self._page_size)
        if plan is not None:
            if self._titled:
                self._heading(f"{plan.table.title} (continued)")
            self._header(plan)

    # Blocks ------------------------------------------------------------------------------

    def _title_block(self, info: ExportInfo) -> None:
        room = self._width - 2 * MARGIN
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
        self._outcome_width = self._width - 2 * MARGIN
        self._canvas.saveState()
        self._canvas.translate(MARGIN, self._y + 3)
        self._canvas.doForm(OUTCOME_FORM)
        self._canvas.restoreState()

    def _line(self, text: str, fitter: TextFitter | None = None) -> None:
        fitter = fitter or self._body
        self._make_room(ROW_HEIGHT)
        self._y -= ROW_HEIGHT
        self._put(fitter.fit(text, self._width - 2 * MARGIN), MARGIN, self._y + 3, fitter)

    def _heading(self, text: str) -> None:
        fitter = self._section
        self._put(fitter.fit(text, self._width - 2 * MARGIN), MARGIN, self._y - 13, fitter)
        self._y -= HEADING_HEIGHT

    def _header(self, plan: TablePlan) -> None:
        height = plan.header_height
        self._shade(self._y - height, height)
        for column in plan.columns:
            # Headers are left-aligned over text, right-aligned over numbers, and never shrunk:
            # the column is at least as wide as the label's widest word.
            for line_number, line in enumerate(column.header):
                baseline = self._y - plan.row_height + 0.5 - line_number * plan.line_step
                if column.numeric:
                    self._put(line, column.right - plan.bold.width(line), baseline, plan.bold)
                else:
                    self._put(line, column.left, baseline, plan.bold)
        self._y -= height

    def _enter(self, plan: TablePlan, sample: Sequence[Row]) -> None:
        if plan.started:
            raise ValueError(f"rows of table {plan.table.name!r} arrived after a later table")
        self._finish_current()
        plan.started = True
        self._current = plan
        plan.place(sample)
        if self._page_size is None:
            self._new_page(plan.page)
            self._title_block(self._info)
        elif self._page_size != plan.page:
            self._end_page()  # a table wider or narrower than the page before starts its own
            self._new_page(plan.page)
        # A heading and header alone at the foot of a page are no use: keep three rows with them.
        self._make_room(HEADING_HEIGHT + plan.header_height + 3 * plan.row_height)
        if self._titled:
            self._heading(plan.table.title)
        self._chart(plan, sample)
        self._header(plan)

    def _release_held(self) -> None:
        """Draw the tables held for their chart (a later table's rows, or the end, came)."""
        for plan in self._plans.values():
            if plan.held is not None:
                rows, plan.held = plan.held, None
                self.write_rows(plan.table.name, rows)

    def _chart(self, plan: TablePlan, rows: Sequence[Row]) -> None:
        spec = plan.table.chart
        if spec is None:
            return
        data = ChartData.of(spec, plan.table.columns, rows)
        if not data.labels:
            return
        height = chart_height(data)
        self._make_room(height + plan.header_height + 3 * plan.row_height)
        draw_chart(
            self._canvas,
            self._put,
            data,
            box=(MARGIN, self._y, self._width - 2 * MARGIN),
            fonts=(self._body, self._bold),
            currency=self._info.currency,
        )
        self._y -= height

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
            self._make_room(plan.row_height + 2, plan)
            self._canvas.line(MARGIN, self._y - 1, self._width - MARGIN, self._y - 1)
            self._y -= plan.row_height + 2
            for left, column, text in plan.total_cells():
                if column.numeric:
                    self._number(text, left, column.right, self._y + 3, plan.bold)
                else:
                    self._put(plan.bold.fit(text, column.room), left, self._y + 3, plan.bold)
        self._y -= 10

    def _warnings(self, outcome: ExportOutcome) -> None:
        warnings = list(outcome.warnings)
        if outcome.partial and not warnings:
            warnings.append("This export is partial: some rows are missing.")
        if not warnings:
            return
        self._line("Warnings", self._bold)
        for warning in warnings:
            for piece in simpleSplit(warning, REGULAR, BODY_SIZE, self._width - 2 * MARGIN):
                self._line(piece)

    def _shade(self, bottom: float, height: float) -> None:
        # Text is drawn at the page's end from its own block, which sets its own colour, so the
        # band lies under the text whatever the order of the calls. One band every other row:
        # written as operators, inside q/Q so the canvas's colour is left as it was.
        width = self._width - 2 * MARGIN
        self._canvas.addLiteral(
            f"q {SHADE_RGB} rg {MARGIN:g} {bottom:.2f} {width:g} {height:g} re f Q"
        )

    # Rows and cells ----------------------------------------------------------------------

    def _row(self, plan: TablePlan, row: Row) -> None:
        cells: list[Placed] = []
        most = 1
        for column in plan.columns:
            value = row[column.index]
            if value is None:
                continue
            text = column.render(value)
            placed = column.placed.get(text) or self._place(plan, column, text)
            most = max(most, len(placed))
            cells.append(placed)
        height = plan.row_height + (most - 1) * plan.line_step
        if self._y - height < BOTTOM:
            self._make_room(height, plan)
        if plan.rows % 2:
            self._shade(self._y - height, height)
        baseline = self._y - plan.row_height + 3
        self._y -= height
        step = plan.line_step
        baselines = [f"{baseline - line * step:.2f}" for line in range(most)]
        put = self._page_text.put_encoded
        for placed in cells:
            for (x, encoded, size), y in zip(placed, baselines, strict=False):
                put(x, y, encoded, size)
        plan.add_to_totals(row)
        plan.rows += 1

    def _place(self, plan: TablePlan, column: PlacedColumn, text: str) -> Placed:
        """A cell's lines where they go, encoded; kept for the next row with the same text."""
        body, page_text = plan.body, self._page_text
        if column.numeric:
            width = body.width(text)
            if width <= column.room:
                spots = [(column.right - width, text, body.size)]
            else:  # a number cut short would read as another number: it is set smaller
                spots = [(column.left, text, body.size * column.room / width)]
        else:
            spots = [(column.left, line, body.size) for line in column.lines(text)]
        placed = tuple(
            (f"{x:.2f}", page_text.encode(body.runs_of(line)), size)
            for x, line, size in spots
            if line
        )
        if len(column.placed) < PLACED_LIMIT:
            column.placed[text] = placed
        return placed

    def _number(
        self, text: str, left: float, right: float, baseline: float, fitter: TextFitter
    ) -> None:
        """A number right-aligned at `right`, starting no further left than `left`."""
        if not text:
            return
        width = fitter.width(text)
        if width <= right - left:
            self._put(text, right - width, baseline, fitter)
            return
        # A number cut short would read as another number: it is set smaller until it fits.
        self._page_text.put(
            fitter.font_name, text, left, baseline, fitter.size * (right - left) / width
        )

    def _put(self, text: str, x: float, baseline: float, fitter: TextFitter) -> None:
        if fitter.single_font(text):
            self._page_text.put(fitter.font_name, text, x, baseline, fitter.size)
        else:
            self._page_text.put_runs(fitter.runs(text), x, baseline, fitter.size)

    @property
    def _page_text(self) -> PageText:
        assert self._text is not None, "the writer is not open"
        return self._text
