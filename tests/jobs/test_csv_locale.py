"""A CSV for a German or French Excel: `;` between fields and a decimal comma, opened by
LibreOffice headless with the matching import options (German locale), reads every money cell
as a number equal to ours, and every date as a date. The same file in the default dialect,
opened the same way, does not: the test can tell."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine

from smarter_export.tabular import ColumnKind
from tests.jobs.demo_exports import export_demo

SOFFICE = shutil.which("soffice")
# `;` (59) between fields, `"` (34) around text, UTF-8 (76), from line 1, no column formats,
# German (LCID 1031): what a person in Germany gets when Calc or Excel opens a CSV.
GERMAN_IMPORT = "CSV:59,34,76,1,,1031"
NUMBERS = (ColumnKind.MONEY, ColumnKind.DECIMAL)


def as_workbook(csv_file: Path, out: Path) -> list[tuple[Any, ...]]:
    """The rows LibreOffice reads from `csv_file` with the German import options."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (Debian libreoffice-calc-nogui) is not installed; .ci/run does")
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{out}/profile",
            f"--infilter={GERMAN_IMPORT}", "--convert-to", "xlsx", "--outdir", str(out),
            str(csv_file),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    converted = out / f"{csv_file.stem}.xlsx"
    assert converted.exists(), f"LibreOffice wrote nothing: {done.stdout}{done.stderr}"
    sheet = openpyxl.load_workbook(converted, read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def export(engine: Engine, folder: Path, options: dict[str, str]) -> tuple[Path, list[Any]]:
    params = {"dateFrom": "2023-01-01", "dateTo": "2024-12-31", "options": options}
    planned, path = export_demo(
        engine, folder, source="time_entries", format_name="csv", params=params
    )
    return path, list(planned.tables[0].columns)


def money_read(cell: object) -> Decimal | None:
    """A cell LibreOffice read as a number, as the exact decimal it shows; None otherwise."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return None
    return Decimal(repr(cell))


def test_semicolon_and_decimal_comma_read_as_numbers_in_a_german_spreadsheet(
    demo_engine: Engine, tmp_path: Path
) -> None:
    path, columns = export(demo_engine, tmp_path, {"delimiter": ";", "decimalSeparator": ","})
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream, delimiter=";"))
    assert header == [column.label for column in columns]
    theirs = as_workbook(path, tmp_path / "lo")
    assert list(theirs[0]) == header
    assert len(theirs) - 1 == len(rows) > 100
    money = [i for i, column in enumerate(columns) if column.kind in NUMBERS]
    dates = [i for i, column in enumerate(columns) if column.kind == ColumnKind.DATE]
    assert money and dates
    compared = 0
    for row, read in zip(rows, theirs[1:], strict=True):
        for index in money:
            if row[index]:
                assert money_read(read[index]) == Decimal(row[index].replace(",", ".")), (
                    f"{columns[index].name}: ours {row[index]!r}, LibreOffice {read[index]!r}"
                )
                compared += 1
        for index in dates:
            assert isinstance(read[index], datetime)
            assert read[index].date() == date.fromisoformat(row[index])
    assert compared > 300


def test_the_default_dialect_is_not_read_as_german_numbers(
    demo_engine: Engine, tmp_path: Path
) -> None:
    path, columns = export(demo_engine, tmp_path, {})
    theirs = as_workbook(path, tmp_path / "lo")
    amount = [c.name for c in columns].index("amount")
    # Without `;` a line is one field (its text, commas and all): no amount is a number.
    assert len(theirs) > 100
    assert all(isinstance(row[0], str) and "," in row[0] for row in theirs[1:])
    assert not any(money_read(row[amount]) for row in theirs[1:] if len(row) > amount)
