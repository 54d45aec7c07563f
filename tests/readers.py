"""Independent readers of exported files: the csv module, openpyxl, pypdf, poppler's pdftotext,
json, pyarrow.

No code under test.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from pypdf import PdfReader


def csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """{table name: rows including the header}; a ZIP gives one table per member."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {Path(name).stem: _csv_rows(archive.read(name)) for name in archive.namelist()}
    return {"main": _csv_rows(data)}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def xlsx_described(data: bytes) -> list[tuple[object, ...]]:
    """Everything a reader sees in a workbook, sheet by sheet and cell by cell: for comparing
    two writers. Empty cells count only when they carry a style."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    described: list[tuple[object, ...]] = [("opens on", workbook.active.title)]
    for sheet in workbook.worksheets:
        widths = {}
        for dimension in sheet.column_dimensions.values():
            for column in range(dimension.min or 0, (dimension.max or 0) + 1):
                widths[column] = dimension.width
        filters = sorted(str(name.attr_text) for name in sheet.defined_names.values())
        described.append(
            ("sheet", sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, widths, filters)
        )
        described.append(("printed as", *sheet_print_settings(sheet)))
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                font = cell.font
                described.append(
                    (
                        cell.coordinate,
                        cell.value,
                        cell.data_type,
                        cell.number_format,
                        bool(font.b),
                        bool(font.i),
                        font.sz,
                        cell.border.bottom.style,
                        bool(cell.alignment.wrap_text),
                    )
                )
    return described


def sheet_print_settings(sheet: Any) -> tuple[object, ...]:
    """How an openpyxl sheet prints: orientation, pages wide and tall when fitted, the rows
    repeated atop each page, gridlines printed, header and footer as stored."""
    setup, fitted = sheet.page_setup, sheet.sheet_properties.pageSetUpPr
    return (
        setup.orientation,
        bool(fitted and fitted.fitToPage),
        setup.fitToWidth,
        setup.fitToHeight,
        sheet.print_title_rows,
        bool(sheet.print_options.gridLines),
        sheet.oddHeader.left.text,
        sheet.oddHeader.right.text,
        sheet.oddFooter.left.text,
        sheet.oddFooter.right.text,
    )


def pdftotext(data: bytes) -> str:
    """The document's text as poppler reads it, pages in order, lines in reading order."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def archive_members(data: bytes) -> dict[str, bytes]:
    """{table name: bytes}: a ZIP's members by stem, a gzip unpacked, else the file as "main"."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {Path(name).stem: archive.read(name) for name in archive.namelist()}
    if data[:2] == b"\x1f\x8b":
        return {"main": gzip.decompress(data)}
    return {"main": data}


def jsonl_tables(data: bytes) -> dict[str, list[dict[str, object]]]:
    """{table name: its records}, numbers read exactly (a float would hide a lost cent)."""
    return {
        name: [json.loads(line, parse_float=Decimal) for line in member.decode().splitlines()]
        for name, member in archive_members(data).items()
    }


def parquet_tables(data: bytes) -> dict[str, pa.Table]:
    return {
        name: pq.read_table(io.BytesIO(member)) for name, member in archive_members(data).items()
    }


def as_csv_reads(kind: str, text: str) -> object:
    """A CSV cell as the typed value it stands for (kind: a ColumnKind's value)."""
    if text == "":
        return None
    if kind in ("money", "decimal", "percent"):
        return Decimal(text)
    if kind == "integer":
        return int(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "boolean":
        return {"true": True, "false": False}[text]
    return text


def jsonl_reads(kind: str, value: object) -> object:
    """A JSON Lines value as the typed value it stands for; money must be an exact string."""
    if value is None:
        return None
    if kind in ("money", "decimal", "percent"):
        assert isinstance(value, str), "money travels as an exact string"
        return Decimal(value)
    if kind in ("date", "datetime"):
        assert isinstance(value, str)
        return as_csv_reads(kind, value)
    return value
