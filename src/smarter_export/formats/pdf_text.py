"""Text on a PDF page: the fonts (shipped with the package), fitting and wrapping a column.

DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols. Characters it lacks
(Chinese, Japanese and Korean above all) are drawn with WenQuanYi Micro Hei, a TrueType font
whose outlines ReportLab can embed: only the glyphs a document uses are written into it (a
subset), so a name such as 山田太郎 prints as itself in every viewer and costs a few kilobytes.
CID fonts (no glyphs embedded) and Noto CJK (CFF outlines, which ReportLab cannot embed) are
not used for that reason.

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
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "SmarterExportSans"
BOLD = "SmarterExportSans-Bold"
FALLBACK = "SmarterExportCJK"  # also stands in for bold: the face has no bold
ELLIPSIS = "\u2026"

FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "WenQuanYiMicroHei.ttf",
}
# Where a value that must stay whole may be broken across lines: after these, or at a space.
WHOLE_BREAKS = frozenset("@.-_/:,;+ ")
_CONTROL_TO_SPACE = dict.fromkeys((*range(32), 127), " ")


@cache
def register_fonts() -> frozenset[str]:
    """Register the fonts once per process; the characters both DejaVu faces can draw."""
    coverage: frozenset[str] | None = None
    for name in (REGULAR, BOLD):
        font = _register(name)
        drawable = frozenset(map(chr, font.face.charWidths))
        coverage = drawable if coverage is None else coverage & drawable
    assert coverage is not None
    return coverage


@cache
def register_fallback() -> None:
    """Register the CJK font the first time a document needs it: it takes some 20 MB."""
    _register(FALLBACK)


def _register(name: str) -> TTFont:
    fonts = resources.files("smarter_export") / "fonts"
    with resources.as_file(fonts / FONT_FILES[name]) as path:
        font = TTFont(name, str(path))  # reads the whole file: the path may be temporary
    pdfmetrics.registerFont(font)
    return font


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

    def runs_of(self, text: str) -> Iterator[tuple[str, str]] | tuple[tuple[str, str]]:
        """The text as one run when this font draws all of it, else as `runs`."""
        return ((self.font_name, text),) if self.single_font(text) else self.runs(text)

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """(font name, text) runs: DejaVu where it has the glyphs, the fallback elsewhere."""
        register_fallback()
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
        text = _one_line(text)
        if self._fits(text, room):
            return text
        # No glyph is narrower than a quarter em (bar zero-width marks): no more could fit, and
        # this bounds the measuring done on a very long description.
        clipped = text[: int(room / (self.size * 0.25)) + 2]
        return clipped[: self._fitting_length(clipped, room - self._ellipsis)].rstrip() + ELLIPSIS

    def wrap(self, text: str, room: float, max_lines: int) -> list[str]:
        """Free text on at most `max_lines` lines broken between words; the last one is cut with
        an ellipsis only if the text is longer still."""
        text = _one_line(text)
        if self._fits(text, room):
            return [text]
        lines: list[str] = []
        while text and len(lines) < max_lines - 1:
            line, text = self._first_line(text, room, _SPACE)
            lines.append(line)
        if text:
            lines.append(self.fit(text, room))
        return lines

    def wrap_whole(self, text: str, room: float) -> list[str]:
        """A value that must be read whole (an e-mail address, an identifier) on as many lines
        as it takes, broken after punctuation where it can be."""
        text = _one_line(text)
        if self._fits(text, room):
            return [text]
        lines: list[str] = []
        while text:
            line, text = self._first_line(text, room, WHOLE_BREAKS)
            lines.append(line)
        return lines

    def _fits(self, text: str, room: float) -> bool:
        """Whether the text fits on one line: without measuring when it is short ASCII."""
        if len(text) * self._widest_ascii <= room and text.isascii():
            return True
        return len(text) * self.size * 0.25 <= room and self.width(text) <= room

    def _first_line(self, text: str, room: float, breaks: frozenset[str]) -> tuple[str, str]:
        """The longest first line of `text` that fits in `room`, broken after one of `breaks`
        (a space is dropped), or inside a word that is longer than the line; and the rest."""
        clipped = text[: int(room / (self.size * 0.25)) + 2]
        length = self._fitting_length(clipped, room)
        if length >= len(text):
            return text, ""
        for index in range(length, 0, -1):  # text[length] is the first character that overflows
            character = text[index]
            if character == " " and " " in breaks:
                return text[:index].rstrip(), text[index:].lstrip()
            if character in breaks and index < length:
                return text[: index + 1], text[index + 1 :].lstrip()
        length = max(length, 1)  # a line holds at least one character, however narrow the room
        return text[:length], text[length:].lstrip()

    def _fitting_length(self, text: str, room: float) -> int:
        """How many of the first characters of `text` fit in `room` points."""
        if self.single_font(text):
            # Running widths in C, then the first prefix that overflows: one pass, no loop.
            return bisect_right(list(accumulate(map(self._widths.__getitem__, text))), room)
        low, high = 0, len(text) + 1  # the longest prefix that fits lies in [low, high)
        while high - low > 1:
            middle = (low + high) // 2
            if self.width(text[:middle]) <= room:
                low = middle
            else:
                high = middle
        return low


_SPACE = frozenset(" ")


def _one_line(text: str) -> str:
    # Line breaks and tabs would draw as boxes: they become spaces, and wrapping decides lines.
    return text if text.isprintable() else text.translate(_CONTROL_TO_SPACE)
