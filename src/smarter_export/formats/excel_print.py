"""How a workbook's sheets print: as a report a partner can read on paper.

Every sheet is fitted to one page wide (as many pages tall as it takes), turned landscape when
its columns would not fit a portrait page at full size, prints its header row on every page and
its gridlines (they survive a black-and-white printer, where a fill would not), and says on
every page whose firm it is and which page of how many. The same calls drive XlsxWriter and the
streamed workbook (`xlsx_workbook.StreamingSheet` has them too), so both print alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smarter_export.tabular import ExportColumn, ExportInfo

# Widths are in characters of Calibri 11 (7 px each, 5 px padding per column). A portrait
# Letter or A4 page holds about 7 inches between the default margins, 96 px an inch: a table
# wider than this many characters would be shrunk below full size, so it turns landscape.
PORTRAIT_WIDTH_CHARACTERS = 90
# Excel refuses a header or footer longer than 255 characters, codes included.
_FIRM_NAME_LIMIT = 120
_TITLE_LIMIT = 120


@dataclass(frozen=True)
class PageSetup:
    """The header and footer of every printed page of a workbook (the same on each sheet)."""

    header: str
    footer: str

    @classmethod
    def of(cls, info: ExportInfo) -> PageSetup:
        title = _header_text(info.title, _TITLE_LIMIT)
        firm = _header_text(info.firm_name, _FIRM_NAME_LIMIT)
        return cls(header=f"&L{title}&R&A", footer=f"&L{firm}&RPage &P of &N")

    def apply(self, sheet: Any, *, landscape: bool, title_rows: int = 1) -> None:
        """Set `sheet` (XlsxWriter's or ours) to print as a report."""
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as the rows need
        if title_rows:
            sheet.repeat_rows(0, title_rows - 1)
        sheet.hide_gridlines(0)  # 0: shown on screen and printed
        sheet.set_header(self.header)
        sheet.set_footer(self.footer)


def is_wide(columns: Sequence[ExportColumn]) -> bool:
    """Whether a table's columns need a landscape page to be read at a sensible size."""
    return sum(column.width for column in columns) > PORTRAIT_WIDTH_CHARACTERS


def _header_text(text: str, limit: int) -> str:
    """Text shown as it is in a header or footer: "&" is a code there, "&&" an ampersand."""
    flat = " ".join(text.split())  # a line break would end the section
    escaped = flat.replace("&", "&&")
    while len(escaped) > limit:  # counted escaped: Excel's limit counts the codes
        flat = flat[: len(flat) - (len(escaped) - limit) - 1].rstrip()
        escaped = flat.replace("&", "&&") + "\u2026"
    return escaped
