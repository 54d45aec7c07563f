"""The text of one PDF page written as content-stream operators, the way ReportLab documents for
its TrueType fonts (reportlab.pdfbase.ttfonts: `splitString`, then `getSubsetInternalName`).

A report draws the same values again and again (names, dates, statuses, rates), and ReportLab's
text object encodes every string anew, character by character in Python, and measures it to move
its cursor: two thirds of the time of a long PDF. Here each distinct string is encoded once per
document, and the page's text is one BT ... ET block placed on the page when it is finished,
over the shading drawn before it. Positions are absolute (Tm); consecutive runs of one cell in
different fonts follow on by themselves, since Tj advances the text position.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

# Distinct strings kept encoded. The values that repeat (names, dates, statuses, rates) are met
# early; past the limit new strings are encoded each time, which bounds the memory.
_ENCODED_LIMIT = 20_000

Encoded = tuple[tuple[str, str], ...]  # (font resource, "(...) Tj") per run of one subset


class PageText:
    """Collects a page's text operators; `finish` hands them to the canvas as one block."""

    def __init__(self, canvas: Any) -> None:
        self._canvas = canvas
        self._doc = canvas._doc  # subsets are numbered per document
        self._encoded: dict[tuple[str, str], Encoded] = {}
        self._operators: list[str] = []
        self._font: tuple[str, float] | None = None
        self._color: Color | None = None

    def begin(self) -> None:
        self._operators = ["BT"]
        self._font = None  # a new BT block starts with no font and black
        self._color = None

    def color(self, color: Color) -> None:
        if color != self._color:
            self._operators.append(f"{color.red:g} {color.green:g} {color.blue:g} rg")
            self._color = color

    def encode(self, runs: Iterable[tuple[str, str]]) -> Encoded:
        """(font name, text) runs as operators, ready for `put_encoded` (and to be kept)."""
        return tuple(
            item
            for font_name, text in runs
            for item in self._encoded.get((font_name, text)) or self._encode(font_name, text)
        )

    def put_encoded(self, x: str, y: str, encoded: Encoded, size: float) -> None:
        """Draw encoded text from (x, y), given as the numbers' text: the row loop's way."""
        operators = self._operators
        operators.append(f"1 0 0 1 {x} {y} Tm")
        for resource, shown in encoded:
            if (resource, size) != self._font:
                operators.append(f"{resource} {size:g} Tf")
                self._font = (resource, size)
            operators.append(shown)

    def put(self, font_name: str, text: str, x: float, y: float, size: float) -> None:
        """Draw `text` in one font from (x, y)."""
        self._operators.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        self._show(font_name, text, size)

    def put_runs(self, runs: Iterable[tuple[str, str]], x: float, y: float, size: float) -> None:
        """Draw (font name, text) runs one after the other from (x, y)."""
        self._operators.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        for font_name, text in runs:
            self._show(font_name, text, size)

    def _show(self, font_name: str, text: str, size: float) -> None:
        encoded = self._encoded.get((font_name, text)) or self._encode(font_name, text)
        operators = self._operators
        for resource, shown in encoded:
            if (resource, size) != self._font:
                operators.append(f"{resource} {size:g} Tf")
                self._font = (resource, size)
            operators.append(shown)

    def finish(self) -> None:
        self._operators.append("ET")
        self._canvas.addLiteral(" ".join(self._operators))
        self._operators = []

    def _encode(self, font_name: str, text: str) -> Encoded:
        font = pdfmetrics.getFont(font_name)
        encoded = tuple(
            (font.getSubsetInternalName(subset, self._doc), f"({escapePDF(chunk)}) Tj")
            for subset, chunk in font.splitString(text, self._doc)
        )
        if len(self._encoded) < _ENCODED_LIMIT:
            self._encoded[font_name, text] = encoded
        return encoded


def deflate_finished_page(canvas: Any) -> None:
    """Compress the page just shown now, not when the file is saved.

    ReportLab keeps every page's operators as text until `save()`, which is most of a long
    report's memory; deflated at once they take about a tenth. The stream carries its filter,
    so ReportLab writes it as it is (pdfdoc.PDFStream applies filters only when none is set).
    """
    page = canvas._doc.Pages.pages[-1]
    if page.Contents or not page.stream:
        return
    contents = PDFStream(
        PDFDictionary({"Filter": PDFName("FlateDecode")}), zlib.compress(page.stream.encode())
    )
    contents.__Comment__ = "page stream"
    page.Contents, page.stream = contents, None
