"""Text on a PDF page: the fonts (DejaVu Sans, shipped with the package) and fitting a column.

DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols. Characters it lacks
(Chinese, Japanese and Korean above all) are drawn with a CID font built into ReportLab, so a
name such as 山田太郎 is written as itself rather than as empty boxes. CID fonts are not
embedded: the reader's PDF viewer supplies the glyphs, which every current viewer does.

Measuring text is the costly part of drawing a cell, so the common cases avoid it: ASCII text
short enough to fit even if every letter were as wide as the widest ASCII letter is not measured.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "SmarterExportSans"
BOLD = "SmarterExportSans-Bold"
FALLBACK = "HeiseiKakuGo-W5"  # sans-serif, covers kanji, kana and most hanzi
ELLIPSIS = "\u2026"

_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
# Line breaks and tabs would draw as boxes on one line: cells are single lines.
_CONTROL_TO_SPACE = dict.fromkeys((*range(32), 127), " ")


@cache
def register_fonts() -> frozenset[str]:
    """Register the fonts once per process; the characters both DejaVu faces can draw."""
    coverage: frozenset[str] | None = None
    fonts = resources.files("smarter_export") / "fonts"
    for name, file_name in _FONT_FILES.items():
        with resources.as_file(fonts / file_name) as path:
            font = TTFont(name, str(path))  # reads the whole file: the path may be temporary
        pdfmetrics.registerFont(font)
        drawable = frozenset(map(chr, font.face.charWidths))
        coverage = drawable if coverage is None else coverage & drawable
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    assert coverage is not None
    return coverage


class _CharWidths(dict[str, float]):
    """Advance width in points of each character met so far, looked up from the font once.

    Summing `map(widths.__getitem__, text)` then runs in C for every character already seen,
    where ReportLab's stringWidth walks the string in Python on every call (unless the optional
    rl_accel extension is installed).
    """

    def __init__(self, face: Any, size: float) -> None:
        super().__init__()
        self._font_widths: dict[int, float] = face.charWidths
        self._default = float(face.defaultWidth)
        self._scale = size / 1000

    def __missing__(self, character: str) -> float:
        width = self._font_widths.get(ord(character), self._default) * self._scale
        self[character] = width
        return width


class TextFitter:
    """Measures and cuts text for one font at one size."""

    def __init__(self, font_name: str, size: float) -> None:
        self.coverage = register_fonts()
        self.font_name = font_name
        self.size = size
        face = pdfmetrics.getFont(font_name).face
        self._widths = _CharWidths(face, size)
        self._widest_ascii = max(map(self._widths.__getitem__, map(chr, range(32, 127))))
        self._ellipsis = self.width(ELLIPSIS)

    def single_font(self, text: str) -> bool:
        return text.isascii() or self.coverage.issuperset(text)

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """(font name, text) runs: DejaVu where it has the glyphs, the CID font elsewhere."""
        start = 0
        in_main = text[0] in self.coverage if text else True
        for index, character in enumerate(text):
            covered = character in self.coverage
            if covered != in_main:
                yield (self.font_name if in_main else FALLBACK), text[start:index]
                start, in_main = index, covered
        if start < len(text):
            yield (self.font_name if in_main else FALLBACK), text[start:]

    def width(self, text: str) -> float:
        if self.single_font(text):
            return sum(map(self._widths.__getitem__, text))
        return sum(
            float(pdfmetrics.stringWidth(run, font, self.size)) for font, run in self.runs(text)
        )

    def fit(self, text: str, room: float) -> str:
        """The text, or as much of it as fits in `room` points followed by an ellipsis."""
        if not text.isprintable():
            text = text.translate(_CONTROL_TO_SPACE)
        if len(text) * self._widest_ascii <= room and text.isascii():
            return text
        # No glyph is narrower than a quarter em (bar zero-width marks): no more could fit, and
        # this bounds the measuring done on a very long description.
        clipped = text[: int(room / (self.size * 0.25)) + 2]
        if len(clipped) == len(text) and self.width(text) <= room:
            return text
        room -= self._ellipsis
        if self.single_font(clipped):
            # Running widths in C, then the first prefix that overflows: one pass, no loop.
            ends = list(accumulate(map(self._widths.__getitem__, clipped)))
            return clipped[: bisect_right(ends, room)].rstrip() + ELLIPSIS
        low, high = 0, len(clipped) + 1  # the longest prefix that fits lies in [low, high)
        while high - low > 1:
            middle = (low + high) // 2
            if self.width(clipped[:middle]) <= room:
                low = middle
            else:
                high = middle
        return clipped[:low].rstrip() + ELLIPSIS
