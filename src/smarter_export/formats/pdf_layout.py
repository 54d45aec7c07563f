"""The geometry of the PDF report and how each column of a table is placed and spelled.

A table's columns are measured on a sample of its rows (the first batch) before the first row
is drawn: identifiers, numbers, money and dates get the width of their widest sampled value, so
they are never cut; free text gets what is left, in proportion to its typical length, and wraps
onto up to MAX_TEXT_LINES lines before it ends in an ellipsis. A header wraps between words and
is never set smaller. The table goes on a portrait page when it fits there, else landscape.
Values become text once, by a function chosen per column from its kind, so the row loop never
looks at a value's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any

from reportlab.lib.pagesizes import letter, portrait

from smarter_export.formats.describe import datetime_text
from smarter_export.formats.pdf_stream import Encoded
from smarter_export.formats.pdf_text import BOLD, REGULAR, TextFitter
from smarter_export.tabular import NUMERIC_KINDS, ColumnKind, ExportColumn, Row, TableSpec

PageSize = tuple[float, float]  # width, height in points
PORTRAIT: PageSize = (float(portrait(letter)[0]), float(portrait(letter)[1]))
LANDSCAPE: PageSize = (PORTRAIT[1], PORTRAIT[0])
MARGIN = 36.0
BOTTOM = 34.0  # rows stop here, above the footer
BODY_SIZE = 7.0
ROW_HEIGHT = 10.0  # a row of one line; each further line adds LINE_STEP
LINE_STEP = 8.0
TOTAL_HEADROOM = 3  # a wider total is set a little smaller; more room would squeeze the text
TABLE_SIZES = (BODY_SIZE, 6.0)  # type sizes a table may be set in, tried in this order
PADDING = 2.5  # inside each side of a column
MAX_TEXT_LINES = 3
SAMPLE_ROWS = 500  # rows measured to size the columns
TEXT_SHARE_PERCENTILE = 0.9  # free text is sized for most values; the longest ones wrap
EXTRA_GAP = 6.0  # points added between columns when the page has room to spare
NARROWEST_TEXT = 50.0  # points: free text is not squeezed below this unless nothing else fits
WHOLE_BREAK_WIDTH = 50.0  # points: an identifier up to this wide is never broken across lines

Render = Callable[[Any], str]
Placed = tuple[tuple[str, Encoded, float], ...]  # a cell's lines: (x as text, encoded, size)


def _text(value: str) -> str:
    return value


def _integer(value: int) -> str:
    return f"{value:,}"


def _ungrouped(value: int | Decimal) -> str:
    return str(value)  # a year or a numeric id: 1991, never 1,991


def _decimal(value: Decimal) -> str:
    return f"{value:,f}"  # hours and quantities keep the precision the source gave


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _percent(value: Decimal) -> str:
    return f"{value * 100:,.1f}%"  # a PERCENT value is a ratio: 0.755 is 75.5 %


def _date(value: date) -> str:
    return value.isoformat()


def _boolean(value: bool) -> str:
    return "Yes" if value else "No"


def renderer(column: ExportColumn, zone: tzinfo) -> Render:
    kind = column.kind
    if kind == ColumnKind.DATETIME:
        return lambda value: datetime_text(value, zone)
    if not column.grouped and kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL):
        return _ungrouped
    renders: dict[ColumnKind, Render] = {
        ColumnKind.TEXT: _text,
        ColumnKind.ID: _text,
        ColumnKind.INTEGER: _integer,
        ColumnKind.DECIMAL: _decimal,
        ColumnKind.MONEY: _money,
        ColumnKind.PERCENT: _percent,
        ColumnKind.DATE: _date,
        ColumnKind.BOOLEAN: _boolean,
    }
    return renders[kind]


class CellMode(Enum):
    NUMBER = "number"  # right-aligned on one line; set smaller in the rare case it overflows
    WHOLE = "whole"  # identifiers, dates, e-mails: wrapped where needed, never cut
    TEXT = "text"  # free text: wrapped up to MAX_TEXT_LINES, then an ellipsis


def cell_mode(column: ExportColumn) -> CellMode:
    if column.kind in NUMERIC_KINDS:
        return CellMode.NUMBER
    if column.kind == ColumnKind.TEXT and not column.whole:
        return CellMode.TEXT
    return CellMode.WHOLE


@dataclass(frozen=True)
class PlacedColumn:
    index: int
    header: tuple[str, ...]  # the label's lines
    left: float  # where left-aligned text starts
    right: float  # where right-aligned text ends
    mode: CellMode
    render: Render
    lines: Callable[[str], list[str]]  # a rendered value's lines in this column
    numeric: bool
    # Rendered values already laid out and encoded, by their text: names, dates, statuses and
    # rates repeat from row to row, and are measured, wrapped and encoded once.
    placed: dict[str, Placed] = field(default_factory=dict, compare=False)

    @property
    def room(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class _Need:
    natural: float  # the width that shows the sample without wrapping (most of it, for text)
    least: float  # below this the column wraps much more than it must: words, short values
    floor: float  # below this it would cut a header word or shrink a number
    one_line: float = 0.0  # the width that holds the header on one line


def _two_line_width(label: str, bold: TextFitter) -> float:
    """The narrowest width that holds the header on two lines, split between words."""
    words = label.split()
    if len(words) < 2:
        return bold.width(label)
    return min(
        max(bold.width(" ".join(words[:cut])), bold.width(" ".join(words[cut:])))
        for cut in range(1, len(words))
    )


def _need(
    column: ExportColumn,
    mode: CellMode,
    texts: list[str],
    body: TextFitter,
    bold: TextFitter,
    *,
    total: str | None,
) -> _Need:
    need = _content_need(column, mode, texts, body, bold, total=total)
    return replace(need, one_line=bold.width(column.label) + 2 * PADDING)


def _content_need(
    column: ExportColumn,
    mode: CellMode,
    texts: list[str],
    body: TextFitter,
    bold: TextFitter,
    *,
    total: str | None,
) -> _Need:
    header_word = max((bold.width(word) for word in column.label.split()), default=0.0)
    header = max(_two_line_width(column.label, bold), header_word) + 2 * PADDING
    floor = header_word + 2 * PADDING
    widths = sorted(body.width(text) for text in texts)
    if mode is CellMode.NUMBER:
        content = max(widths[-1] if widths else 0.0, bold.width(total) if total else 0.0)
        natural = max(content + 2 * PADDING, header)
        return _Need(natural, natural, max(natural, floor))
    if mode is CellMode.WHOLE:
        # Identifiers, dates and e-mail addresses keep one line while any layout allows it;
        # only in a table too wide for the page may a long one wrap after its punctuation.
        natural = max(widths[-1] + 2 * PADDING if widths else 0.0, header)
        if natural <= WHOLE_BREAK_WIDTH:
            return _Need(natural, natural, natural)
        return _Need(natural, natural, max(floor, WHOLE_BREAK_WIDTH))
    natural = max(_percentile(widths) + 2 * PADDING, header)
    # Narrower than most values' longest word, a column would break words: "Manufacturin g".
    long_words = sorted(max(map(body.width, text.split()), default=0.0) for text in texts)
    word = max(_percentile(long_words) + 2 * PADDING, floor)
    least = min(max(NARROWEST_TEXT, word), natural)
    return _Need(natural, least, min(word, natural))


def _percentile(ordered: list[float]) -> float:
    """The width most of the sampled values keep within; the longest few may wrap."""
    return ordered[int(len(ordered) * TEXT_SHARE_PERCENTILE)] if ordered else 0.0


def _widths(needs: list[_Need], modes: list[CellMode]) -> tuple[PageSize, list[float]]:
    """The page (portrait when the table fits there) and each column's width on it."""
    natural = sum(need.natural for need in needs)
    page = PORTRAIT if natural <= PORTRAIT[0] - 2 * MARGIN else LANDSCAPE
    usable = page[0] - 2 * MARGIN
    if natural <= usable:
        # Spare room goes to headers that would wrap, then parts the columns a little more, then
        # goes to free text, where it saves lines; with no free text, to every column.
        spare = usable - natural
        widths = [need.natural for need in needs]
        # Headers go on one line where the room allows, those needing least first.
        for index in sorted(range(len(needs)), key=lambda i: needs[i].one_line - widths[i]):
            extra = needs[index].one_line - widths[index]
            if 0 < extra <= spare:
                widths[index] += extra
                spare -= extra
        gap = min(spare / len(needs), EXTRA_GAP)
        spare -= gap * len(needs)
        text = [index for index, mode in enumerate(modes) if mode is CellMode.TEXT]
        takers = text or list(range(len(needs)))
        weight = sum(needs[index].natural for index in takers)
        return page, [
            width + gap + (spare * needs[index].natural / weight if index in takers else 0.0)
            for index, width in enumerate(widths)
        ]
    # Too wide for a page: the columns that can wrap give up room, first down to their least
    # (text wraps between words, long identifiers after punctuation), then down to their floor.
    for lows in ([need.least for need in needs], [need.floor for need in needs]):
        if sum(lows) <= usable:
            return page, _share(needs, lows, usable)
    # More columns than any page holds: all give up room in proportion; numbers are set smaller.
    floors = [need.floor for need in needs]
    scale = usable / sum(floors)
    return page, [floor * scale for floor in floors]


def _share(needs: list[_Need], lows: list[float], room: float) -> list[float]:
    """Each column its low, and the room left over shared in proportion to how much more than
    its low each one needs. The caller has checked that the lows fit."""
    wants = [need.natural - low for need, low in zip(needs, lows, strict=True)]
    spare = (room - sum(lows)) / (sum(wants) or 1.0)
    return [low + want * spare for low, want in zip(lows, wants, strict=True)]


class TablePlan:
    """One table of the report: where its columns go, its totals, how far it has got."""

    def __init__(self, table: TableSpec, zone: tzinfo) -> None:
        self.table = table
        self.renders = [renderer(column, zone) for column in table.columns]
        self.modes = [cell_mode(column) for column in table.columns]
        self.columns: list[PlacedColumn] = []
        self.page: PageSize = LANDSCAPE
        self.body = self.bold = TextFitter(REGULAR, BODY_SIZE)  # until placed
        self.row_height = ROW_HEIGHT
        self.line_step = LINE_STEP
        self.header_height = ROW_HEIGHT + 3
        self.totals: dict[int, Decimal] = {
            index: Decimal(0) for index, column in enumerate(table.columns) if column.total
        }
        self._total_items = tuple(self.totals)
        self.started = False
        # A table with a chart is held until complete: the chart, above it, needs every row.
        self.held: list[Row] | None = [] if table.chart is not None else None
        self.rows = 0  # rows drawn

    def place(self, sample: Sequence[Row]) -> None:
        """Size the columns on a sample of the rows and choose the page and type size."""
        sample = sample[:SAMPLE_ROWS]
        columns = self.table.columns
        texts = [
            [render(row[index]) for row in sample if row[index] is not None]
            for index, render in enumerate(self.renders)
        ]
        # A total is longer than any one value: its column is sized for three times the sample's.
        totals = {index: self.renders[index](self._sum(sample, index)) for index in self.totals}
        for size in TABLE_SIZES:
            # A table too wide for a landscape page at the usual size is set a point smaller,
            # all of it alike, rather than wrapping every cell or shrinking some.
            body, bold = TextFitter(REGULAR, size), TextFitter(BOLD, size)
            needs = [
                _need(column, mode, values, body, bold, total=totals.get(index))
                for index, (column, mode, values) in enumerate(
                    zip(columns, self.modes, texts, strict=True)
                )
            ]
            if sum(need.least for need in needs) <= LANDSCAPE[0] - 2 * MARGIN:
                break
        self.body, self.bold = body, bold
        self.row_height = size + 3  # a row of one line; each further line adds line_step
        self.line_step = size + 1
        self.page, widths = _widths(needs, self.modes)
        self.columns, x = [], MARGIN
        for index, (column, width) in enumerate(zip(columns, widths, strict=True)):
            room = width - 2 * PADDING
            self.columns.append(
                PlacedColumn(
                    index=index,
                    header=tuple(bold.wrap_whole(column.label, room)),
                    left=x + PADDING,
                    right=x + width - PADDING,
                    mode=self.modes[index],
                    render=self.renders[index],
                    lines=_line_breaker(self.modes[index], body, room),
                    numeric=self.modes[index] is CellMode.NUMBER,
                )
            )
            x += width
        most = max((len(column.header) for column in self.columns), default=1)
        self.header_height = self.row_height + 3 + (most - 1) * self.line_step

    @staticmethod
    def _sum(sample: Sequence[Row], index: int) -> Decimal:
        total = Decimal(0)
        for row in sample:
            value = row[index]
            if isinstance(value, Decimal | int):
                total += abs(Decimal(value))
        return total * TOTAL_HEADROOM

    def add_to_totals(self, row: Row) -> None:
        totals = self.totals
        for index in self._total_items:
            value = row[index]
            if value is not None:
                totals[index] += value  # type: ignore[operator]

    def total_cells(self) -> Iterator[tuple[float, PlacedColumn, str]]:
        """The totals row: "Total" in the first column unless it is summed itself, then each
        sum with where it may start: a sum, longer than any one value, may reach left over the
        empty cells beside it."""
        if 0 not in self.totals:
            yield self.columns[0].left, self.columns[0], "Total"
        for index, total in self.totals.items():
            first = index
            while first - 1 > 0 and first - 1 not in self.totals:
                first -= 1
            column = self.columns[index]
            yield self.columns[first].left, column, column.render(total)


def _line_breaker(mode: CellMode, body: TextFitter, room: float) -> Callable[[str], list[str]]:
    if mode is CellMode.TEXT:
        return lambda text: body.wrap(text, room, MAX_TEXT_LINES)
    if mode is CellMode.WHOLE:
        return lambda text: body.wrap_whole(text, room)
    return lambda text: [text]
