"""PDF tables that fit their content, read back by poppler (pdftotext, pdffonts, pdftoppm) and
pypdf: identifiers and e-mails whole, headers wrapped but never set smaller, years without
grouping, long text wrapped before it is cut, the page turned to fit the table, CJK embedded."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from smarter_export.formats.pdf import PdfWriter
from smarter_export.tabular import ExportColumn, Row

from .conftest import K, make_column, make_table, time_entry_rows, write_export
from .poppler import embedded_fonts, pdftotext, render_pages

LONG_NOTE = " ".join(
    f"clause {number} reviewed against the indemnity schedule" for number in range(40)
)


def invoice_columns() -> list[ExportColumn]:
    """A table as wide as the invoices export, with an e-mail column and a free-text note."""
    return [
        make_column(name="invoiceNumber", label="Invoice number", kind=K.ID, width=9),
        make_column(name="client", label="Client", kind=K.TEXT, width=28),
        make_column(name="email", label="Billing email", kind=K.TEXT, width=8, whole=True),
        make_column(name="issued", label="Issued", kind=K.DATE, width=11),
        make_column(name="due", label="Due", kind=K.DATE, width=11),
        make_column(name="subtotal", label="Subtotal", kind=K.MONEY, width=12, total=True),
        make_column(name="tax", label="Tax", kind=K.MONEY, width=10, total=True),
        make_column(name="total", label="Total", kind=K.MONEY, width=12, total=True),
        make_column(name="balance", label="Balance", kind=K.MONEY, width=12, total=True),
        make_column(name="paymentStatus", label="Payment status", kind=K.ID, width=13),
        make_column(name="daysOutstanding", label="Days outstanding", kind=K.INTEGER, width=4),
        make_column(name="notes", label="Notes", kind=K.TEXT, width=30),
    ]


def invoice_rows(count: int) -> list[Row]:
    rows: list[Row] = []
    for number in range(1, count + 1):
        amount = Decimal(1000 + number * 37) + Decimal("0.25")
        rows.append(
            (
                f"INV-202506-{number:04d}",
                "Bluewater Energy Corp." if number % 2 else "山田太郎 Holdings KK",
                f"accounts.payable{number}@bluewater-energy-corp.example",
                date(2025, 6, 1) + timedelta(days=number),
                date(2025, 7, 1) + timedelta(days=number),
                amount,
                Decimal("0.00"),
                amount,
                amount if number % 3 else Decimal(0),
                "partially_paid" if number % 3 else "paid",
                number * 11,
                LONG_NOTE if number == 3 else "Sent by e-mail",
            )
        )
    return rows


def write_invoices(path: Path, count: int = 60) -> None:
    table = make_table(name="invoices", title="Invoices", columns=invoice_columns())
    write_export(PdfWriter(), path, tables=[table], rows={table.name: invoice_rows(count)})


def font_sizes_by_word(path: Path, page: int = 0) -> dict[str, set[float]]:
    """Each word on the page with the type sizes it is drawn in (pypdf's text visitor)."""
    sizes: dict[str, set[float]] = defaultdict(set)

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        for word in text.split():
            sizes[word].add(round(size * tm[0] * cm[0], 2))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return sizes


def test_invoice_numbers_and_emails_are_never_cut(tmp_path: Path) -> None:
    path = tmp_path / "invoices.pdf"
    write_invoices(path)

    lines = pdftotext(path).splitlines()
    text = "\n".join(lines)
    assert "\u2026" not in "".join(line for line in lines if "INV-" in line or "@" in line)
    for number in range(1, 61):
        # Whole, and on one line: a wrapped identifier would not be found by a search.
        assert f"INV-202506-{number:04d}" in text
        assert f"accounts.payable{number}@bluewater-energy-corp.example" in text
    assert "partially_paid" in text
    assert "2025-06-02" in text


def test_headers_wrap_between_words_and_keep_their_size(tmp_path: Path) -> None:
    path = tmp_path / "invoices.pdf"
    write_invoices(path)

    sizes = font_sizes_by_word(path)
    body = sizes["INV-202506-0001"]
    assert len(body) == 1
    for word in ("Invoice", "number", "Payment", "status", "Days", "outstanding", "Billing"):
        assert sizes[word] == body, word  # the header's size is the body's: never shrunk
    text = pdftotext(path)
    assert "outstanding" in text.split()  # the word itself is whole, on its own line


def test_long_text_wraps_onto_lines_before_it_ends_in_an_ellipsis(tmp_path: Path) -> None:
    path = tmp_path / "invoices.pdf"
    write_invoices(path)

    lines = pdftotext(path, layout=True).splitlines()
    # The note's start fills three lines of its narrow column, the third cut with an ellipsis.
    start = next(index for index, line in enumerate(lines) if "INV-202506-0003" in line)
    assert lines[start].rstrip().endswith("clause 0")
    assert lines[start + 1].rstrip().endswith("reviewed")
    assert lines[start + 2].rstrip().endswith("\u2026")
    words = " ".join(lines).split()
    assert "schedule" not in words
    assert words.count("Sent") == 59  # the short notes, whole


def test_a_time_entry_description_wraps_whole(tmp_path: Path) -> None:
    path = tmp_path / "time.pdf"
    table = make_table()
    write_export(PdfWriter(), path, tables=[table], rows={table.name: time_entry_rows(30)})

    text = " ".join(pdftotext(path).split())
    assert "indemnity" in text and "caps" in text  # wrapped onto a second line, not cut
    assert "\u2026" not in text


def test_years_and_ids_are_written_without_grouping(tmp_path: Path) -> None:
    path = tmp_path / "timekeepers.pdf"
    table = make_table(
        name="timekeepers",
        title="Timekeepers",
        columns=[
            make_column(name="name", label="Name", kind=K.TEXT),
            make_column(name="bar", label="Bar admission", kind=K.INTEGER, grouped=False),
            make_column(name="target", label="Target hours", kind=K.INTEGER),
        ],
    )
    rows: list[Row] = [("Zoë Müller", 1991, 1800), ("山田太郎", 2006, 2000)]

    write_export(PdfWriter(), path, tables=[table], rows={table.name: rows})

    text = pdftotext(path)
    assert "1991" in text and "2006" in text
    assert "1,991" not in text and "2,006" not in text
    assert "1,800" in text  # a quantity keeps its grouping


def test_the_page_turns_to_fit_the_table(tmp_path: Path) -> None:
    narrow, wide = tmp_path / "narrow.pdf", tmp_path / "wide.pdf"
    table = make_table(
        columns=[
            make_column(name="client", kind=K.TEXT),
            make_column(name="amount", kind=K.MONEY),
        ]
    )
    write_export(
        PdfWriter(), narrow, tables=[table], rows={table.name: [("Acme", Decimal("1.00"))] * 80}
    )
    write_invoices(wide)

    portrait = PdfReader(narrow).pages
    assert all((page.mediabox.width, page.mediabox.height) == (612, 792) for page in portrait)
    landscape = PdfReader(wide).pages
    assert all((page.mediabox.width, page.mediabox.height) == (792, 612) for page in landscape)


def test_cjk_is_drawn_with_an_embedded_fallback_font(tmp_path: Path) -> None:
    path = tmp_path / "invoices.pdf"
    write_invoices(path)

    assert "山田太郎 Holdings" in pdftotext(path)
    fonts = embedded_fonts(path)
    assert fonts["WenQuanYiMicroHei"] is True
    assert fonts["DejaVuSans"] is True
    assert path.stat().st_size < 200_000  # subsets only: the font file alone is 4.6 MB


def test_reports_render_as_pages(tmp_path: Path) -> None:
    invoices, time_entries = tmp_path / "invoices.pdf", tmp_path / "time.pdf"
    write_invoices(invoices, count=200)
    table = make_table()
    write_export(PdfWriter(), time_entries, tables=[table], rows={table.name: time_entry_rows(400)})

    assert len(render_pages(invoices, "invoices-table", first=1, last=2)) == 2
    assert len(render_pages(time_entries, "time-entries-table")) == 1
