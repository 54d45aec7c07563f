"""The registry: names and aliases to formats, each format's file and row cap, settings passed
through to its writer, unknown names refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from smarter_export.errors import ValidationFailed
from smarter_export.formats.base import RowCap
from smarter_export.formats.csv_writer import CsvWriter
from smarter_export.formats.excel import ExcelWriter
from smarter_export.formats.jsonl import JsonLinesWriter
from smarter_export.formats.ledes import LedesWriter
from smarter_export.formats.parquet import ParquetWriter
from smarter_export.formats.pdf import PdfWriter
from smarter_export.formats.registry import FORMATS, find_format, format_names
from smarter_export.settings import Settings

from .conftest import make_table, time_entry_rows, write_export


def test_format_names() -> None:
    assert format_names() == ("csv", "excel", "pdf", "jsonl", "parquet", "ledes")


@pytest.mark.parametrize(
    ("name", "canonical", "writer_class"),
    [
        ("csv", "csv", CsvWriter),
        ("excel", "excel", ExcelWriter),
        ("xlsx", "excel", ExcelWriter),
        (" PDF ", "pdf", PdfWriter),
        ("jsonl", "jsonl", JsonLinesWriter),
        ("NDJSON", "jsonl", JsonLinesWriter),
        ("parquet", "parquet", ParquetWriter),
        ("LEDES", "ledes", LedesWriter),
    ],
)
def test_names_and_aliases_make_their_writer(name: str, canonical: str, writer_class: type) -> None:
    found = find_format(name)

    assert found.name == canonical
    assert isinstance(found.make_writer(Settings()), writer_class)


def test_an_unknown_format_is_the_callers_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        find_format("docx")

    (problem,) = caught.value.problems
    assert problem.field == "format"
    assert "must be one of csv, excel, pdf, jsonl, parquet, ledes" in problem.message


def test_each_format_names_its_file() -> None:
    one, two = make_table(), make_table(name="line_items")
    files = {f.name: (f.file_for([one]), f.file_for([one, two])) for f in FORMATS}

    assert files["csv"][0].extension == ".csv"
    assert files["csv"][0].content_type == "text/csv; charset=utf-8"
    assert files["csv"][1].extension == ".zip"  # one CSV per table
    assert files["csv"][1].content_type == "application/zip"
    assert files["excel"][0] == files["excel"][1]
    assert files["excel"][0].extension == ".xlsx"
    assert files["pdf"][1].extension == ".pdf"


@pytest.mark.parametrize("name", format_names())
def test_each_row_cap_is_one_setting(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A registration naming a setting that does not exist fails here, not as a 500 at run time.
    found = find_format(name)
    variable = f"SMARTER_EXPORT_{found.row_cap_setting.upper()}"
    monkeypatch.setenv(variable, "1234")

    assert found.row_cap(Settings()) == 1234


@pytest.mark.parametrize("setting", ["max_rows_docx", "csv_byte_order_mark", "data_dir"])
def test_a_format_naming_no_row_cap_is_refused_when_registered(setting: str) -> None:
    csv = find_format("csv")

    with pytest.raises(ValueError, match=f"'{setting}' is not a row cap of Settings"):
        replace(csv, name="tsv", row_cap_setting=setting)


def test_a_pdf_cap_counts_every_row_and_a_data_file_cap_its_records() -> None:
    counts = {f.name: f.row_cap_counts for f in FORMATS}

    assert counts == {
        "csv": RowCap.MAIN_ROWS,
        "excel": RowCap.MAIN_ROWS,
        "pdf": RowCap.ALL_ROWS,
        "jsonl": RowCap.MAIN_ROWS,
        "parquet": RowCap.MAIN_ROWS,
        "ledes": RowCap.MAIN_ROWS,  # invoices, each whole (and never cut: refused past it)
    }


def test_settings_reach_the_writers(tmp_path: Path) -> None:
    settings = Settings(
        csv_byte_order_mark=False,
        excel_rows_per_sheet=10,
        max_rows_pdf=3,
        pdf_confidentiality_notice="Privileged: attorney work product.",
    )
    table = make_table()

    write = find_format("csv").make_writer(settings)
    write_export(write, tmp_path / "a.csv", tables=[table], rows={})
    assert (tmp_path / "a.csv").read_bytes().startswith(b"Date,")

    assert find_format("pdf").row_cap(settings) == 3
    summary = write_export(
        find_format("pdf").make_writer(settings),
        tmp_path / "a.pdf",
        tables=[table],
        rows={table.name: time_entry_rows(5)},
    )
    assert summary.rows_written == {table.name: 5}  # the cap is the engine's, not the writer's
    assert (
        "Privileged: attorney work product."
        in PdfReader(tmp_path / "a.pdf").pages[0].extract_text()
    )

    summary = write_export(
        find_format("excel").make_writer(settings),
        tmp_path / "a.xlsx",
        tables=[table],
        rows={table.name: time_entry_rows(11)},
    )
    assert summary.rows_written == {table.name: 11}
    assert load_workbook(tmp_path / "a.xlsx").sheetnames[-2:] == ["Time entries (2)", "Export info"]


def test_a_pdf_and_parquet_are_fed_small_batches_the_others_the_setting() -> None:
    """A PDF draws some 15,000 rows a second: batches of 1,000 keep its peak memory down (two
    copies of a batch of long rows are alive while it is drawn) and cost it nothing. Parquet
    holds its row group in Arrow, and a batch's Python objects only while it is converted: the
    same (README, Benchmarks)."""
    settings = Settings(batch_size=5_000)
    for name in ("pdf", "parquet"):
        assert find_format(name).batch_size(settings) == 1_000
        assert find_format(name).batch_size(Settings(batch_size=500)) == 500  # a smaller wins
    for name in ("csv", "excel", "jsonl", "ledes"):
        assert find_format(name).batch_size(settings) == 5_000
