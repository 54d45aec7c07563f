"""A workbook printed as a person prints it: LibreOffice headless turns it into a PDF, and the
pages are read back with poppler (pdftotext) and rendered (pdftoppm) for a person to look at.

Both Excel writers (XlsxWriter for aggregates, the streamed one for records) must print a data
sheet as a report: every column of a row on one page (fitted to the page's width, landscape
when the table is wide), the header row atop every page, the firm's name and "Page X of Y" in
the footer, gridlines printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.excel_print import PageSetup, is_wide
from smarter_export.formats.excel_stream import StreamingExcelWriter
from smarter_export.tabular import ExportColumn, Row
from tests.libreoffice import workbook_as_pdf

from .conftest import (
    K,
    make_column,
    make_info,
    make_table,
    time_entry_columns,
    time_entry_rows,
    write_export,
)
from .poppler import pdftotext, render_pages

WRITERS = {"xlsxwriter": ExcelWriter, "streamed": StreamingExcelWriter}
FIRM = "Smith & Ørsted LLP"
ROWS = 150  # several printed pages at any sensible scale


def numbered_rows(count: int) -> list[Row]:
    """Time entries whose first cell (matter number, moved first) and last cell (an invoice
    number) carry the row's number: a row cut across two pages cannot hide."""
    rows = []
    for number, row in enumerate(time_entry_rows(count)):
        values = list(row)
        values[12] = f"INV-{number:06d}"
        rows.append((f"{number:07d}", *values[:3], *values[4:]))
    return rows


def wide_table() -> list[ExportColumn]:
    columns = time_entry_columns()
    return [columns[3], *columns[:3], *columns[4:]]  # the matter number first


def pages_of(pdf: Path) -> list[str]:
    """Each page's text, laid out as printed."""
    return pdftotext(pdf, layout=True).split("\f")[: len(PdfReader(pdf).pages)]


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_wide_sheet_prints_every_column_of_a_row_on_one_page_under_the_header(
    tmp_path: Path, writer: str
) -> None:
    table = make_table(columns=wide_table())
    assert is_wide(table.columns)
    path = tmp_path / f"time-entries-{writer}.xlsx"
    write_export(
        WRITERS[writer](),
        path,
        tables=[table],
        rows={table.name: numbered_rows(ROWS)},
        info=make_info(firm_name=FIRM),
    )

    pdf = workbook_as_pdf(path, tmp_path / "printed")
    pages = pages_of(pdf)
    reader = PdfReader(pdf)
    data_pages = [n for n, text in enumerate(pages) if "INV-" in text]
    assert len(data_pages) >= 2, "enough rows for several pages"
    assert data_pages == list(range(len(data_pages))), "the data prints first, its info last"
    seen: list[int] = []
    for number in data_pages:
        text = pages[number]
        box = reader.pages[number].mediabox
        assert box.width > box.height, f"page {number + 1}: a wide table prints landscape"
        lines = text.splitlines()
        first_row = next(n for n, line in enumerate(lines) if re.match(r"\s*\d{7}\s", line))
        # The header row, its labels wrapped where longer than their column, above the rows.
        header = " ".join(lines[:first_row]).split()
        assert "Matter" in header, f"page {number + 1} has no header row"
        missing = [c.label for c in table.columns if not set(c.label.split()) <= set(header)]
        assert not missing, f"page {number + 1}: the header lacks {missing}"
        for line in lines:
            first = re.match(r"\s*(\d{7})\s", line)
            if first:
                row = int(first.group(1))
                # The row's last column, on the same printed line: no column went to another page.
                assert f"INV-{row:06d}" in line, f"page {number + 1}: row {row} is cut: {line!r}"
                seen.append(row)
        assert FIRM in text, f"page {number + 1}: the firm's name is not in the footer"
        assert f"Page {number + 1} of {len(pages)}" in text
    assert seen == list(range(ROWS)), "every row printed once, in order"
    # The export info sheet still prints, after the data.
    assert "Export info" in pages[-1] and "Generated at" in pages[-1]

    if writer == "streamed":
        rendered = render_pages(pdf, "workbook-printed-time-entries", first=1, last=2)
        assert all(page.stat().st_size > 10_000 for page in rendered)


@pytest.mark.slow
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_narrow_sheet_prints_portrait_and_the_info_sheet_last(
    tmp_path: Path, writer: str
) -> None:
    table = make_table(
        name="timekeepers",
        title="Timekeepers",
        columns=[
            make_column(name="name", label="Name", width=28),
            make_column(name="role", label="Role", kind=K.ID, width=12),
            make_column(name="rate", label="Rate", kind=K.MONEY, width=10),
        ],
    )
    assert not is_wide(table.columns)
    rows = [(f"Person {n:04d}", "associate", None) for n in range(120)]
    path = tmp_path / f"timekeepers-{writer}.xlsx"
    write_export(WRITERS[writer](), path, tables=[table], rows={table.name: rows})

    pdf = workbook_as_pdf(path, tmp_path / "printed")
    reader, pages = PdfReader(pdf), pages_of(pdf)
    data_pages = [n for n, text in enumerate(pages) if "Person " in text]
    assert len(data_pages) >= 2
    for number in data_pages:
        box = reader.pages[number].mediabox
        assert box.height > box.width, f"page {number + 1}: a narrow table prints portrait"
        assert re.search(r"Name\s+Role\s+Rate", pages[number]), f"page {number + 1}: no header"
    assert "Export info" in pages[-1]


def test_the_footer_says_an_ampersand_as_such_and_fits_excels_limit() -> None:
    page = PageSetup.of(make_info(firm_name="A & B " * 60, title="Q1 & Q2\nhours"))
    assert page.footer.startswith("&LA && B A && B")
    assert page.footer.endswith("&RPage &P of &N")
    assert page.header.startswith("&LQ1 && Q2 hours&R")  # one line: a break ends a section
    assert len(page.header) <= 255 and len(page.footer) <= 255
