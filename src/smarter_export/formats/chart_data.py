"""The groups a table's chart draws, chosen from its rows: one choice for every drawing of it.

The PDF draws these above the table and the Export Center previews the same figures, so the
groups left out (the total row, or all but the largest or the extremes) are left out alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from smarter_export.tabular import ChartKind, ChartSpec, ColumnKind, ExportColumn, Row

MAX_BARS = 25  # groups a chart shows; past this, the largest (or the extremes) and says so


@dataclass(frozen=True)
class ChartData:
    """The groups a chart draws: their names, each series' values, and the targets."""

    spec: ChartSpec
    labels: list[str]
    series: list[tuple[str, list[float]]]  # (column label, values)
    targets: list[float] | None
    kind: ColumnKind  # of the values: how the axis is labelled
    shown_of: int  # groups in the table (the chart may show fewer)

    @classmethod
    def of(cls, spec: ChartSpec, columns: Sequence[ExportColumn], rows: Sequence[Row]) -> ChartData:
        names = [column.name for column in columns]
        category = names.index(spec.category)
        kept = [row for row in rows if row[category] != spec.leave_out]
        first = names.index(spec.values[0])
        chosen = _choose(kept, first, spec)
        series = [
            (columns[names.index(name)].label, [_number(row[names.index(name)]) for row in chosen])
            for name in spec.values
        ]
        targets = None
        if spec.target is not None:
            targets = [_number(row[names.index(spec.target)]) for row in chosen]
        return cls(
            spec,
            [str(row[category]) for row in chosen],
            series,
            targets,
            columns[first].kind,
            len(kept),
        )


def _number(value: object) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def _choose(rows: list[Row], first: int, spec: ChartSpec) -> list[Row]:
    """All groups, or the extremes the spec asks for, or the largest that fit one chart."""
    if spec.kind == ChartKind.LINE:
        return rows
    extremes = min(spec.extremes, MAX_BARS // 2) if spec.extremes else 0
    if extremes and len(rows) > 2 * extremes:
        ranked = sorted(rows, key=lambda row: _number(row[first]), reverse=True)
        return [*ranked[:extremes], *ranked[-extremes:]]
    if len(rows) > MAX_BARS:
        return sorted(rows, key=lambda row: _number(row[first]), reverse=True)[:MAX_BARS]
    return rows


def subtitle(data: ChartData, currency: str) -> str:
    unit = data.spec.axis_title
    if data.kind == ColumnKind.MONEY:
        unit = f"{unit} ({currency})"
    shown = len(data.labels)
    if shown < data.shown_of and data.spec.extremes:
        return f"{unit}; the {shown // 2} highest and {shown // 2} lowest of {data.shown_of}"
    if shown < data.shown_of:
        return f"{unit}; the {shown} largest of {data.shown_of}"
    return unit
