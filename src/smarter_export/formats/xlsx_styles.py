"""The cell styles of a streamed workbook, made the way XlsxWriter's `add_format` makes them.

Only the properties our writers use are known (bold, italic, font size, a bottom border, a
number format, wrapped text); anything else is refused, so a new property cannot be silently
dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smarter_export.formats.xlsx_xml import MAIN_NS, XML_HEAD
from smarter_export.formats.xlsx_xml import escape_text as _escape

KNOWN_PROPERTIES = frozenset({"bold", "italic", "font_size", "bottom", "num_format", "text_wrap"})
_FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in number formats


@dataclass(frozen=True)
class CellStyle:
    index: int

    @property
    def attribute(self) -> str:
        """The s="N" attribute of a cell; the default style needs none."""
        return f' s="{self.index}"' if self.index else ""


class StyleSheet:
    def __init__(self) -> None:
        self._fonts: list[tuple[bool, bool, float]] = [(False, False, 11.0)]
        self._formats: list[str] = []
        # (number format id, font, border, text wrapped)
        self._xfs: list[tuple[int, int, int, bool]] = [(0, 0, 0, False)]

    def add_format(self, properties: Mapping[str, object] | None = None) -> CellStyle:
        properties = dict(properties or {})
        unknown = set(properties) - KNOWN_PROPERTIES
        if unknown:
            raise ValueError(f"cell format properties not supported: {sorted(unknown)}")
        font = (
            bool(properties.get("bold")),
            bool(properties.get("italic")),
            float(properties.get("font_size", 11)),  # type: ignore[arg-type]
        )
        if font not in self._fonts:
            self._fonts.append(font)
        number_format = properties.get("num_format")
        format_id = 0
        if number_format:
            code = str(number_format)
            if code not in self._formats:
                self._formats.append(code)
            format_id = _FIRST_CUSTOM_FORMAT + self._formats.index(code)
        xf = (
            format_id,
            self._fonts.index(font),
            1 if properties.get("bottom") else 0,
            bool(properties.get("text_wrap")),
        )
        if xf not in self._xfs:
            self._xfs.append(xf)
        return CellStyle(self._xfs.index(xf))

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{_FIRST_CUSTOM_FORMAT + n}" formatCode="{_attribute(code)}"/>'
            for n, code in enumerate(self._formats)
        )
        number_formats = f'<numFmts count="{len(self._formats)}">{formats}</numFmts>'
        fonts = "".join(
            f'<font>{"<b/>" if bold else ""}{"<i/>" if italic else ""}<sz val="{size:g}"/>'
            '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
            for bold, italic, size in self._fonts
        )
        xfs = "".join(_xf(*xf) for xf in self._xfs)
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            f"{number_formats if self._formats else ''}"
            f'<fonts count="{len(self._fonts)}">{fonts}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom>'
            "<diagonal/></border></borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(self._xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/></styleSheet>'
        )


def _xf(format_id: int, font: int, border: int, wrapped: bool) -> str:
    applied = "".join(
        f' {name}="1"'
        for name, on in (
            ("applyNumberFormat", format_id),
            ("applyFont", font),
            ("applyBorder", border),
            ("applyAlignment", wrapped),
        )
        if on
    )
    start = f'<xf numFmtId="{format_id}" fontId="{font}" fillId="0" borderId="{border}" xfId="0"'
    if wrapped:
        return f'{start}{applied}><alignment wrapText="1"/></xf>'
    return f"{start}{applied}/>"


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")
