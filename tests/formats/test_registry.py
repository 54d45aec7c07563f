"""The registry: names and aliases to writers, settings passed through, unknown names refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from smarter_export.errors import ValidationFailed
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.pdf import PdfWriter
from smarter_export.formats.registry import format_names, make_writer
from smarter_export.settings import Settings

from .conftest import make_table, time_entry_rows, write_export


def test_format_names() -> None:
    assert format_names() == ("csv", "excel", "pdf")


@pytest.mark.parametrize(
    ("name", "writer_class"),
    [("csv", CsvWriter), ("excel", ExcelWriter), ("xlsx", ExcelWriter), ("PDF", PdfWriter)],
)
def test_names_and_aliases_make_their_writer(
    name: str, writer_class: type[CsvWriter | ExcelWriter | PdfWriter]
) -> None:
    writer = make_writer(name, Settings())

    assert isinstance(writer, writer_class)
    assert writer.format_name == writer_class.format_name


def test_an_unknown_format_is_the_callers_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make_writer("docx", Settings())

    (problem,) = caught.value.problems
    assert problem.field == "format"
    assert "must be one of csv, excel, pdf" in problem.message


def test_settings_reach_the_writers(tmp_path: Path) -> None:
    settings = Settings(
        csv_byte_order_mark=False,
        excel_rows_per_sheet=10,
        max_rows_pdf=3,
        pdf_confidentiality_notice="Privileged: attorney work product.",
    )
    table = make_table()

    write_export(make_writer("csv", settings), tmp_path / "a.csv", tables=[table], rows={})
    assert (tmp_path / "a.csv").read_bytes().startswith(b"Date,")

    summary = write_export(
        make_writer("pdf", settings),
        tmp_path / "a.pdf",
        tables=[table],
        rows={table.name: time_entry_rows(5)},
    )
    assert summary.rows_written == {table.name: 3}
    assert (
        "Privileged: attorney work product."
        in PdfReader(tmp_path / "a.pdf").pages[0].extract_text()
    )

    summary = write_export(
        make_writer("excel", settings),
        tmp_path / "a.xlsx",
        tables=[table],
        rows={table.name: time_entry_rows(11)},
    )
    assert summary.rows_written == {table.name: 11}
    assert load_workbook(tmp_path / "a.xlsx").sheetnames[-1] == "Time entries (2)"
