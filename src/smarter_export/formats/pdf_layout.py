"""The geometry of the PDF report and how each column of a table is placed and spelled.

Columns share the page width in proportion to ExportColumn.width. Values become text once, by
a function chosen per column from its kind, so the row loop never looks at a value's type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import landscape, letter

from smarter_export.formats.describe import datetime_text
from smarter_export.tabular import NUMERIC_KINDS, ColumnKind, ExportColumn, Row, TableSpec

PAGE_WIDTH, PAGE_HEIGHT = (float(side) for side in landscape(letter))
MARGIN = 36.0
BOTTOM = 34.0  # rows stop here, above the footer
BODY_SIZE = 7.0
ROW_HEIGHT = 10.0
PADDING = 2.5  # inside each side of a column

Render = Callable[[Any], str]


def _text(value: str) -> str:
    return value


def _integer(value: int) -> str:
    return f"{value:,}"


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


def renderer(kind: ColumnKind, zone: tzinfo) -> Render:
    if kind == ColumnKind.DATETIME:
        return lambda value: datetime_text(value, zone)
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


@dataclass(frozen=True)
class PlacedColumn:
    index: int
    label: str
    left: float  # where left-aligned text starts
    right: float  # where right-aligned text ends
    numeric: bool
    render: Render

    @property
    def room(self) -> float:
        return self.right - self.left


# Values of these kinds have one length; cutting them would lose the value, so their column is
# widened to hold a sample, taking the room from the others in proportion.
_FIXED_SAMPLES = {ColumnKind.DATE: "0000-00-00", ColumnKind.DATETIME: "0000-00-00 00:00"}


def place_columns(
    columns: tuple[ExportColumn, ...], zone: tzinfo, measure: Callable[[str], float]
) -> list[PlacedColumn]:
    usable = PAGE_WIDTH - 2 * MARGIN
    shares = [max(column.width, 1.0) for column in columns]
    scale = usable / sum(shares)
    widths = [share * scale for share in shares]
    needed = {
        index: measure(_FIXED_SAMPLES[column.kind]) + 2 * PADDING
        for index, column in enumerate(columns)
        if column.kind in _FIXED_SAMPLES
    }
    widened = {index: need for index, need in needed.items() if widths[index] < need}
    flexible = sum(share for index, share in enumerate(shares) if index not in widened)
    if widened and flexible and sum(widened.values()) < usable:
        scale = (usable - sum(widened.values())) / flexible
        widths = [widened.get(index, share * scale) for index, share in enumerate(shares)]
    placed, x = [], MARGIN
    for index, (column, width) in enumerate(zip(columns, widths, strict=True)):
        placed.append(
            PlacedColumn(
                index=index,
                label=column.label,
                left=x + PADDING,
                right=x + width - PADDING,
                numeric=column.kind in NUMERIC_KINDS,
                render=renderer(column.kind, zone),
            )
        )
        x += width
    return placed


class TablePlan:
    """One table of the report: where its columns go, its totals, how far it has got."""

    def __init__(self, table: TableSpec, zone: tzinfo, measure: Callable[[str], float]) -> None:
        self.table = table
        self.columns = place_columns(table.columns, zone, measure)
        self.totals: dict[int, Decimal] = {
            index: Decimal(0) for index, column in enumerate(table.columns) if column.total
        }
        self._total_items = tuple(self.totals)
        self.started = False
        self.rows = 0  # rows drawn

    def add_to_totals(self, row: Row) -> None:
        totals = self.totals
        for index in self._total_items:
            value = row[index]
            if value is not None:
                totals[index] += value  # type: ignore[operator]

    def total_cells(self) -> Iterator[tuple[PlacedColumn, str]]:
        """The totals row: "Total" in the first column unless it is summed itself."""
        if 0 not in self.totals:
            yield self.columns[0], "Total"
        for index, total in self.totals.items():
            yield self.columns[index], self.columns[index].render(total)
