"""A native Excel chart of a table, its series pointing at the table's own cells.

Someone who corrects a figure in the sheet sees the chart follow. The chart stands to the right
of the table. It reads in black and white: greys and a pattern tell the series apart, a target
is a black dash on its bar. Horizontal bars keep long names (clients, matters) readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from smarter_export.formats.safety import neutralise
from smarter_export.tabular import ChartKind, ChartSpec, ColumnKind, Row, TableSpec

# Fills from dark to light, then patterned: distinct when printed without colour.
SERIES_FILLS: tuple[dict[str, Any], ...] = (
    {"fill": {"color": "#404040"}},
    {"fill": {"color": "#A6A6A6"}},
    {"pattern": {"pattern": "wide_upward_diagonal", "fg_color": "#000000", "bg_color": "#FFFFFF"}},
    {"fill": {"color": "#D9D9D9"}},
    {"fill": {"color": "#7F7F7F"}},
    {"fill": {"color": "#000000"}},
)
STACK_FILLS = ("#F2F2F2", "#D9D9D9", "#A6A6A6", "#7F7F7F", "#404040", "#000000")  # young to old


@dataclass
class ChartRows:
    """The rows a chart draws, with the sheet row each was written to."""

    spec: ChartSpec
    category: int  # column index
    first_value: int
    rows: list[tuple[int, Row]]

    @classmethod
    def of(cls, table: TableSpec) -> ChartRows | None:
        spec = table.chart
        if spec is None:
            return None
        names = [column.name for column in table.columns]
        return cls(spec, names.index(spec.category), names.index(spec.values[0]), [])

    def add(self, row_number: int, row: Row) -> None:
        if row[self.category] != self.spec.leave_out:
            self.rows.append((row_number, row))

    def drawn(self) -> list[tuple[int, Row]]:
        """The rows in the chart, in sheet order: all, or the extremes of the first value."""
        extremes = self.spec.extremes
        if not extremes or len(self.rows) <= 2 * extremes:
            return self.rows
        ranked = sorted(self.rows, key=lambda item: _number(item[1][self.first_value]))
        chosen = {number for number, _ in (*ranked[:extremes], *ranked[-extremes:])}
        return [item for item in self.rows if item[0] in chosen]


def _number(value: object) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def cell_ranges(sheet_name: str, column: int, rows: list[int]) -> str:
    """Absolute references to `rows` of one column, runs of rows joined: '(A2:A4,A9:A12)'."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    letter, sheet = xl_col_to_name(column, col_abs=True), quote_sheetname(sheet_name)
    parts = [f"{sheet}!{letter}${first + 1}:{letter}${last + 1}" for first, last in runs]
    return parts[0] if len(parts) == 1 else f"({','.join(parts)})"


def add_chart(
    workbook: Any, sheet: Any, table: TableSpec, points: ChartRows, currency: str
) -> None:
    """Insert the table's chart beside it; nothing when no group is left to draw."""
    drawn = points.drawn()
    if not drawn:
        return
    rows = [number for number, _ in drawn]
    spec, names = points.spec, [column.name for column in table.columns]
    kinds = {column.name: column.kind for column in table.columns}
    name = sheet.get_name()
    categories = cell_ranges(name, names.index(spec.category), rows)
    # The values the chart shows until a reader recalculates it, from the rows as written
    # (XlsxWriter cannot read them back from a constant_memory sheet, nor from joined ranges).
    category_data = [neutralise(str(row[points.category])) for _, row in drawn]

    def cached(column: int) -> dict[str, Any]:
        return {
            "categories_data": category_data,
            "values_data": [_number(row[column]) for _, row in drawn],
            "name_data": [table.columns[column].label],
        }

    # Horizontal bars, but a line, or bars with target marks (Excel combines a line only with
    # vertical columns), run left to right.
    horizontal = spec.kind != ChartKind.LINE and spec.target is None
    chart_type = "bar" if horizontal else "column" if spec.kind != ChartKind.LINE else "line"
    subtype = {"subtype": "stacked"} if spec.kind == ChartKind.STACKED else {}
    chart = workbook.add_chart({"type": chart_type, **subtype})
    for number, value in enumerate(spec.values):
        column = names.index(value)
        series: dict[str, Any] = {
            "name": [name, 0, column],
            "categories": categories,
            "values": cell_ranges(name, column, rows),
            **cached(column),
        }
        if spec.kind == ChartKind.STACKED:
            series["fill"] = {"color": STACK_FILLS[number % len(STACK_FILLS)]}
            series["border"] = {"color": "#000000", "width": 0.5}
        elif spec.kind == ChartKind.LINE:
            series["line"] = {"color": "#000000", "width": 1.5, "dash_type": "solid"}
            series["marker"] = {"type": "circle", "size": 5, "fill": {"color": "#000000"}}
        else:
            series.update(SERIES_FILLS[number % len(SERIES_FILLS)])
            series["border"] = {"color": "#000000", "width": 0.5}
        chart.add_series(series)
    if spec.target is not None:
        target = names.index(spec.target)
        chart.combine(_target_marks(workbook, name, target, categories, rows, cached(target)))
    percent = kinds[spec.values[0]] == ColumnKind.PERCENT
    money = kinds[spec.values[0]] == ColumnKind.MONEY
    value_axis = {
        "name": f"{spec.axis_title} ({currency})" if money else spec.axis_title,
        "num_format": "0%" if percent else "#,##0",
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
    }
    category_axis: dict[str, Any] = {"name": table.columns[names.index(spec.category)].label}
    if horizontal:
        category_axis["reverse"] = True  # the first row on top, as in the sheet
        category_axis["label_position"] = "low"  # names at the left edge, clear of losses
        chart.set_x_axis(value_axis)
        chart.set_y_axis(category_axis)
    else:
        chart.set_x_axis(category_axis)
        chart.set_y_axis(value_axis)
    chart.set_title({"name": spec.title, "name_font": {"size": 12, "bold": True}})
    several = len(spec.values) > 1 or spec.target is not None
    chart.set_legend({"position": "bottom"} if several else {"none": True})
    height = max(320, min(1200, 60 + 22 * len(rows))) if horizontal else 360
    chart.set_size({"width": 760, "height": height})
    # Printed, the table and its chart share a landscape page's width (see `TableSheets`).
    sheet.insert_chart(1, len(table.columns) + 1, chart)


def _target_marks(  # noqa: PLR0917 (one call site, each argument a different thing)
    workbook: Any,
    sheet_name: str,
    column: int,
    categories: str,
    rows: list[int],
    cached: dict[str, Any],
) -> Any:
    """The target of each group as a black dash on its bar (a scatter of marks, no line)."""
    marks = workbook.add_chart({"type": "line"})
    marks.add_series(
        {
            "name": [sheet_name, 0, column],
            "categories": categories,
            "values": cell_ranges(sheet_name, column, rows),
            "line": {"none": True},
            "marker": {"type": "dash", "size": 12, "fill": {"color": "#000000"}},
            **cached,
        }
    )
    return marks
