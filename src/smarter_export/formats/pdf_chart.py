"""A table's chart drawn as vector graphics above it in the PDF.

Bars run horizontally, one group a line, so that long names (clients, matters, 山田太郎) are read
as text beside their bar; a line over months runs left to right. Shapes go onto the canvas and
words into the page's text (pdf_stream), so labels are searchable and have their CJK glyphs.
It reads in black and white: series in greys, a target as a black tick across its bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from reportlab.lib.colors import Color, black, white

from smarter_export.formats.chart_data import ChartData, subtitle
from smarter_export.formats.pdf_text import TextFitter
from smarter_export.tabular import ChartKind, ColumnKind

BAR_SLOT = 11.0
LINE_HEIGHT = 150.0  # plot height of a line chart
GRID = Color(0.82, 0.82, 0.82)
FILLS = (Color(0.25, 0.25, 0.25), Color(0.65, 0.65, 0.65), Color(0.85, 0.85, 0.85))
STACK = tuple(Color(shade, shade, shade) for shade in (0.95, 0.85, 0.65, 0.5, 0.25, 0.0))

Put = Callable[[str, float, float, TextFitter], None]  # text, x, baseline, fitter


def chart_height(data: ChartData) -> float:
    """Points the chart takes: title, plot, axis labels, legend."""
    plot = LINE_HEIGHT if data.spec.kind == ChartKind.LINE else BAR_SLOT * len(data.labels)
    return 28 + plot + 16 + (12 if _legend(data) else 0) + 10


def _legend(data: ChartData) -> list[tuple[str, Color]]:
    if data.spec.kind == ChartKind.LINE or (len(data.series) == 1 and data.targets is None):
        return []
    fills = STACK if data.spec.kind == ChartKind.STACKED else FILLS
    return [(label, fills[number % len(fills)]) for number, (label, _) in enumerate(data.series)]


def _ticks(low: float, high: float) -> list[float]:
    """About five round values (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    first = math.floor(low / step) * step
    count = math.ceil((high - first) / step - 1e-9)
    return [first + step * index for index in range(count + 1)]


def _tick_text(value: float, kind: ColumnKind) -> str:
    if kind == ColumnKind.PERCENT:
        return f"{value * 100:,.0f}%"
    return f"{value:,.0f}" if abs(value) >= 10 or value == 0 else f"{value:,.1f}"


def draw_chart(
    canvas: Any,
    put: Put,
    data: ChartData,
    *,
    box: tuple[float, float, float],  # left, top, width
    fonts: tuple[TextFitter, TextFitter],  # body, bold
    currency: str,
) -> None:
    left, top, width = box
    body, bold = fonts
    put(bold.fit(data.spec.title, width), left, top - 10, bold)
    put(body.fit(subtitle(data, currency), width), left, top - 20, body)
    plot_top = top - 28
    if data.spec.kind == ChartKind.LINE:
        _line_chart(canvas, put, data, (left, plot_top, width), body)
    else:
        _bar_chart(canvas, put, data, (left, plot_top, width), body)
    legend = _legend(data)
    x, y = left, top - chart_height(data) + 12
    for label, fill in legend:
        canvas.setFillColor(fill)
        canvas.rect(x, y - 1, 7, 7, stroke=1, fill=1)
        put(label, x + 10, y, body)
        x += 18 + body.width(label)
    if data.targets is not None and data.spec.target is not None:
        canvas.setLineWidth(1.5)
        canvas.line(x + 3, y - 2, x + 3, y + 7)
        put("Target", x + 8, y, body)
    canvas.setFillColor(black)
    canvas.setLineWidth(1)


def _bar_chart(
    canvas: Any, put: Put, data: ChartData, box: tuple[float, float, float], body: TextFitter
) -> None:
    left, top, width = box
    stacked = data.spec.kind == ChartKind.STACKED
    label_room = min(170.0, max((body.width(label) for label in data.labels), default=0) + 6)
    plot_left, plot_right = left + label_room, left + width - 12
    ends = [0.0]
    for index in range(len(data.labels)):
        values = [values[index] for _, values in data.series]
        ends.extend([sum(values)] if stacked else values)
        if data.targets is not None:
            ends.append(data.targets[index])
    ticks = _ticks(min(ends), max(ends))
    low, high = ticks[0], ticks[-1]

    def x_of(value: float) -> float:
        return plot_left + (value - low) / (high - low) * (plot_right - plot_left)

    bottom = top - BAR_SLOT * len(data.labels)
    canvas.setLineWidth(0.4)
    for tick in ticks:
        canvas.setStrokeColor(GRID)
        canvas.line(x_of(tick), bottom, x_of(tick), top)
        text = _tick_text(tick, data.kind)
        put(text, x_of(tick) - body.width(text) / 2, bottom - 9, body)
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.5)
    count = 1 if stacked else len(data.series)
    for index, label in enumerate(data.labels):
        slot_top = top - BAR_SLOT * index
        put(body.fit(label, label_room - 6), left, slot_top - 8, body)
        height = (BAR_SLOT - 3) / count
        start = 0.0
        for number, (_, values) in enumerate(data.series):
            value = values[index]
            canvas.setFillColor(STACK[number % len(STACK)] if stacked else FILLS[number % 3])
            y = slot_top - 1.5 - height * (1 if stacked else number + 1)
            begin, end = (start, start + value) if stacked else (0.0, value)
            canvas.rect(min(x_of(begin), x_of(end)), y, abs(x_of(end) - x_of(begin)), height, 1, 1)
            start += value if stacked else 0.0
        if data.targets is not None:
            canvas.setLineWidth(1.5)
            x = x_of(data.targets[index])
            canvas.line(x, slot_top - 0.5, x, slot_top - BAR_SLOT + 0.5)
            canvas.setLineWidth(0.5)
    canvas.line(x_of(0), bottom, x_of(0), top)  # the zero line
    canvas.setFillColor(white)


def _line_chart(
    canvas: Any, put: Put, data: ChartData, box: tuple[float, float, float], body: TextFitter
) -> None:
    left, top, width = box
    values = [value for _, series in data.series for value in series] or [0.0]
    ticks = _ticks(min(0.0, *values), max(values))
    low, high = ticks[0], ticks[-1]
    tick_room = max(body.width(_tick_text(tick, data.kind)) for tick in ticks) + 6
    plot_left, plot_right = left + tick_room, left + width - 12
    bottom = top - LINE_HEIGHT
    count = max(len(data.labels), 1)

    def y_of(value: float) -> float:
        return bottom + (value - low) / (high - low) * LINE_HEIGHT

    def x_of(index: int) -> float:
        return plot_left + (index + 0.5) * (plot_right - plot_left) / count

    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(GRID)
    for tick in ticks:
        canvas.line(plot_left, y_of(tick), plot_right, y_of(tick))
        text = _tick_text(tick, data.kind)
        put(text, plot_left - 4 - body.width(text), y_of(tick) - 2.5, body)
    canvas.setStrokeColor(black)
    every = max(1, math.ceil(count * (body.width("0000-00") + 6) / (plot_right - plot_left)))
    for index, label in enumerate(data.labels):
        if index % every == 0:
            put(label, x_of(index) - body.width(label) / 2, bottom - 9, body)
    canvas.setLineWidth(1.2)
    canvas.setFillColor(black)
    for _, series in data.series:
        points = [(x_of(index), y_of(value)) for index, value in enumerate(series)]
        for (x1, y1), (x2, y2) in pairwise(points):
            canvas.line(x1, y1, x2, y2)
        for x, y in points:
            canvas.circle(x, y, 1.8, stroke=0, fill=1)
    canvas.setLineWidth(0.5)
    canvas.line(plot_left, bottom, plot_right, bottom)
