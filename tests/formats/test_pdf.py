"""PDF: the document read back with pypdf's text extractor, page by page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from smarter_export.formats.pdf import PdfWriter
from smarter_export.formats.pdf_text import BOLD, REGULAR, TextFitter

from .conftest import K, column_total, make_column, make_table, time_entry_rows, write_export

NOTICE = "Confidential: privileged client information."


def page_texts(path: Path) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (extractors differ there)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture
def long_report(tmp_path: Path) -> tuple[Path, list[str]]:
    path = tmp_path / "export.pdf"
    table = make_table()
    write_export(
        PdfWriter(confidentiality_notice=NOTICE),
        path,
        tables=[table],
        rows={table.name: time_entry_rows(200)},
    )
    return path, page_texts(path)


def test_title_block_on_the_first_page(long_report: tuple[Path, list[str]]) -> None:
    _, pages = long_report
    first = pages[0]
    assert "Smith & Ørsted LLP" in first
    assert "Time entries" in first
    assert "Generated at: 2024-05-01 14:03:05 -04:00 (America/New_York)" in first
    assert "Date from: 2024-01-01" in first
    assert "Status: approved" in first


def test_every_page_has_header_page_number_and_notice(long_report: tuple[Path, list[str]]) -> None:
    path, pages = long_report
    assert len(pages) >= 4
    assert len(PdfReader(path).pages) == len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert NOTICE in text
        assert "Date Timekeeper Client" in text  # the table header, repeated


def test_unicode_names_render_as_themselves(long_report: tuple[Path, list[str]]) -> None:
    _, pages = long_report
    assert "Zoë Müller-Ørsted" in pages[0]
    assert "山田太郎" in pages[0]  # drawn with the CJK fallback font
    assert "John O'Brien" in pages[0]


def test_long_text_wraps_instead_of_being_cut(long_report: tuple[Path, list[str]]) -> None:
    # Wrapped onto a second line (test_pdf_layout.py: up to three, then an ellipsis).
    _, pages = long_report
    assert "Review and revise" in pages[0]
    assert "indemnity caps" in pages[0]
    assert "\u2026" not in pages[0]


def test_totals_line_sums_money_and_hours(long_report: tuple[Path, list[str]]) -> None:
    _, pages = long_report
    rows = list(time_entry_rows(200))
    hours, amount = column_total(rows, 7), column_total(rows, 9)
    assert f"Total {hours:,.2f} {amount:,.2f}" in pages[-1]


def test_values_are_spelled_for_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "export.pdf"
    table = make_table(
        columns=[
            make_column(name="client", kind=K.TEXT, width=30),
            make_column(name="amount", kind=K.MONEY, width=12),
            make_column(name="share", kind=K.PERCENT, width=8),
            make_column(name="count", kind=K.INTEGER, width=8),
            make_column(name="billable", kind=K.BOOLEAN, width=8),
            make_column(name="day", kind=K.DATE, width=4),  # too narrow: widened, never cut
            make_column(name="at", kind=K.DATETIME, width=14),
        ]
    )
    at = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    rows = [("Acme", Decimal("-1234567.5"), Decimal("0.755"), 12345, True, date(2024, 3, 1), at)]

    write_export(PdfWriter(), path, tables=[table], rows={table.name: rows})

    text = page_texts(path)[0]
    # Timestamps are shown in the firm's zone (New York), like the generated-at line.
    assert "Acme -1,234,567.50 75.5% 12,345 Yes 2024-03-01 2024-03-01 09:30" in text


def test_child_table_is_its_own_section(tmp_path: Path) -> None:
    path = tmp_path / "export.pdf"
    invoices = make_table(
        name="invoices",
        title="Invoices",
        columns=[make_column(name="number", kind=K.ID), make_column(name="total", kind=K.MONEY)],
    )
    lines = make_table(
        name="line_items",
        title="Line items",
        columns=[make_column(name="item", kind=K.TEXT), make_column(name="fee", kind=K.MONEY)],
    )

    summary = write_export(
        PdfWriter(),
        path,
        tables=[invoices, lines],
        rows={
            "invoices": [("INV-7", Decimal("10"))],
            "line_items": [("Filing fee", Decimal("10"))],
        },
    )

    text = page_texts(path)[0]
    assert text.index("Invoices Number Total INV-7 10.00") < text.index(
        "Line items Item Fee Filing fee 10.00"
    )
    assert summary.rows_written == {"invoices": 1, "line_items": 1}


def test_what_is_left_out_is_said_at_the_top_and_at_the_end(tmp_path: Path) -> None:
    # The engine cut the export at 30 rows of 75 and used up the cap before the line items.
    path = tmp_path / "export.pdf"
    entries = make_table()
    lines = make_table(name="line_items", title="Line items")
    warning = "Partial export: 60 of 90 rows are not in this file: PDF exports hold at most 30."

    summary = write_export(
        PdfWriter(),
        path,
        tables=[entries, lines],
        rows={entries.name: time_entry_rows(30)},
        batch_size=20,
        partial=True,
        warnings=(warning,),
        matched={entries.name: 75, lines.name: 15},
    )

    pages = page_texts(path)
    text = " ".join(pages)
    assert summary.rows_written == {entries.name: 30, lines.name: 0}
    assert "0000029" in text  # the writer draws every row it is given
    title_block = pages[0][: pages[0].index("Time entries Date")]
    assert "Rows: Time entries 30 of 75 \u00b7 Line items 0 of 15. Partial: yes" in title_block
    assert "Not shown: row limit reached." in pages[-1]
    assert warning in pages[-1]


def test_a_complete_export_says_so_at_the_top(tmp_path: Path) -> None:
    path = tmp_path / "export.pdf"
    table = make_table()

    write_export(PdfWriter(), path, tables=[table], rows={table.name: time_entry_rows(3)})

    assert "Rows: Time entries 3. Partial: no." in page_texts(path)[0]


def test_empty_export_says_so(tmp_path: Path) -> None:
    path = tmp_path / "export.pdf"
    table = make_table()

    summary = write_export(PdfWriter(), path, tables=[table], rows={})

    pages = page_texts(path)
    assert len(pages) == 1
    assert "No rows match these filters." in pages[0]
    assert "Page 1 of 1" in pages[0]
    assert summary.rows_written == {table.name: 0}


def test_fitter_cuts_to_the_room_it_is_given() -> None:
    fitter = TextFitter(REGULAR, 7)
    text = "Review and revise draft purchase agreement"
    room = fitter.width(text) / 2

    cut = fitter.fit(text, room)

    assert cut.endswith("\u2026")
    assert fitter.width(cut) <= room
    assert fitter.fit(text, fitter.width(text)) == text
    assert fitter.fit("line\nbreak", 500) == "line break"
    assert fitter.fit("山田太郎 and Zoë" * 10, 60).endswith("\u2026")
    assert TextFitter(BOLD, 7).width("Total") > fitter.width("Total")
