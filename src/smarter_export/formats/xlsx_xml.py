"""SpreadsheetML text for the streamed workbook: cell values, styles and the fixed parts.

Values are spelled exactly as XlsxWriter spells them in constant_memory mode (inline strings,
control characters as _xHHHH_, whitespace preserved, numbers as %.16G, dates as serial numbers
with the 1900 leap-year bug), so that a reader sees the same cells from either writer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from xml.sax.saxutils import quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STRING_LIMIT = 32_767  # UTF-16 units in one cell; XlsxWriter cuts longer text there

# A string that needs nothing done to it: no formula trigger or whitespace at its ends, nothing
# to escape, no literal _xHHHH_, and short enough that it cannot pass the cell limit. Most cells
# are like this, and one C-level match is all they cost.
_PLAIN_TEXT = re.compile(
    r"(?![=+\-@\s])(?!.*_x[0-9A-Fa-f]{4}_)[^&<>\x00-\x08\x0b-\x1f\ufffe\uffff]{1,16383}(?<!\s)",
    re.DOTALL,
)
plain_text = _PLAIN_TEXT.fullmatch
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def _utf16_cut(text: str) -> str:
    """The text cut to the cell limit in UTF-16 units, never inside a character."""
    if len(text) <= STRING_LIMIT // 2:
        return text
    length = 0
    for index, character in enumerate(text):
        length += 2 if ord(character) > 0xFFFF else 1
        if length > STRING_LIMIT:
            return text[:index]
    return text


def inline_text(text: str) -> str:
    """The <is> element of an inline-string cell holding `text` (already neutralised)."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", _utf16_cut(text))
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{space}>{text}</t></is>"


def text_cell(reference: str, style: str, text: str) -> str:
    return f'<c r="{reference}"{style} t="inlineStr">{inline_text(text)}</c>'


_EPOCH = datetime(1899, 12, 31)
_ORDINAL_BEFORE_EPOCH = date(1899, 12, 30).toordinal()


def date_serial(value: date) -> int | float:
    """Excel's serial number of a day (counting the 29 February 1900 that never was)."""
    if type(value) is not date:  # a datetime in a date column: XlsxWriter keeps its time
        return datetime_serial(value)  # type: ignore[arg-type]
    serial = value.toordinal() - _ORDINAL_BEFORE_EPOCH
    return serial if serial > 60 else serial - 1


def datetime_serial(value: datetime) -> float:
    """A naive (already local) timestamp as Excel's serial number, as XlsxWriter computes it."""
    value = value.replace(tzinfo=None)
    delta: timedelta = value - _EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86_400
    if value.isocalendar() == (1900, 1, 1):
        serial -= 1
    return serial + 1 if serial > 59 else serial


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def stored_width(characters: float) -> float:
    """A width in characters as XlsxWriter stores it (Calibri 11: 7-pixel digits, 5 padding)."""
    if characters <= 0:
        return 0.0
    pixels = int(characters * 12 + 0.5) if characters < 1 else int(characters * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


def quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the fixed parts -----------------------------------------------------------------------------


def content_types(sheet_count: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kind}.worksheet+xml"/>'
        for n in range(1, sheet_count + 1)
    )
    return (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def package_relationships() -> str:
    return (
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )


def workbook_relationships(sheet_count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheet_count + 1)
    )
    styles = f'<Relationship Id="rId{sheet_count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">{sheets}{styles}</Relationships>'


def workbook(
    sheet_names: Sequence[str],
    filters: Mapping[int, str],
    print_titles: Mapping[int, str] | None = None,
) -> str:
    """The workbook part; `filters` maps a sheet's position to its autofilter's A1 range, and
    `print_titles` to the rows printed atop each of its pages ("$1:$1"). The first sheet is the
    active one."""
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(sheet_names, 1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{position}" hidden="1">'
        f"{escape_text(quoted_sheet(sheet_names[position]))}!{cells}</definedName>"
        for position, cells in sorted(filters.items())
    )
    names += "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{position}">'
        f"{escape_text(quoted_sheet(sheet_names[position]))}!{rows}</definedName>"
        for position, rows in sorted((print_titles or {}).items())
    )
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    return (
        f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" '
        f'windowHeight="9660" activeTab="0"/></bookViews><sheets>{sheets}</sheets>{defined}'
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
