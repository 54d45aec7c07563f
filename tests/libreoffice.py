"""LibreOffice headless as an independent reader: a workbook converted to one CSV per sheet.

A workbook LibreOffice cannot open, or opens only after repairing it, gives no CSV and fails
the caller's test.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
# Comma, double quote, UTF-8 (76), from line 1; values as stored rather than as shown (false),
# every sheet to its own file (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def require_libreoffice() -> str:
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice (Debian libreoffice-calc-nogui) is not installed; .ci/run installs it"
        )
    return SOFFICE


def convert(workbook: Path, out: Path, target: str, *, timeout: float = 600) -> str:
    """Run LibreOffice headless on `workbook` into `out`; what it said, for a failure message."""
    soffice = require_libreoffice()
    out.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return completed.stdout + completed.stderr


def workbook_as_pdf(workbook: Path, out: Path) -> Path:
    """The workbook printed by LibreOffice (every sheet, as its print settings say) to a PDF."""
    said = convert(workbook, out, "pdf")
    pdf = out / f"{workbook.stem}.pdf"
    assert pdf.exists(), f"LibreOffice printed no PDF of {workbook.name}: {said}"
    return pdf


def sheets_as_csv(workbook: Path, out: Path, *, timeout: float = 600) -> dict[str, list[list[str]]]:
    """{sheet name: rows} as LibreOffice reads `workbook`; fails if it writes nothing."""
    said = convert(workbook, out, CSV_FILTER, timeout=timeout)
    prefix = workbook.stem + "-"
    sheets = {}
    for path in sorted(out.glob(f"{workbook.stem}-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem.removeprefix(prefix)] = list(csv.reader(handle))
    assert sheets, f"LibreOffice wrote no CSV for {workbook.name}: {said}"
    return sheets


def _utf16_cut(text: str, limit: int = 32_767) -> str:
    # Counted in UTF-16 units; a character cut in half is dropped whole.
    return text.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", errors="ignore")


def _line_breaks(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def same_cell(kind: str, ours: str, theirs: str) -> bool:
    """Whether LibreOffice's cell (values as stored) says what our CSV cell says."""
    if ours == "" or theirs == "":
        return ours == theirs
    if kind in ("text", "id"):
        # A cell holds 32,767 UTF-16 units; LibreOffice writes a line break in a cell as LF.
        return _line_breaks(_utf16_cut(ours)) == _line_breaks(theirs)
    if kind in ("integer", "decimal", "money"):
        return Decimal(ours) == Decimal(theirs)
    if kind == "percent":  # shown as "75.5%" whatever the filter says
        return Decimal(ours).quantize(Decimal("0.001")) == Decimal(theirs.rstrip("%")) / 100
    if kind == "datetime":  # ours carries the offset; a spreadsheet shows the local time
        return ours[:19].replace("T", " ") == theirs
    if kind == "boolean":
        return ours == theirs.lower()
    return ours == theirs  # dates: ISO 8601 in both


def assert_sheet_rows_match(
    theirs: list[list[str]], ours: list[list[str]], kinds: list[str], where: str
) -> None:
    assert len(theirs) == len(ours), (
        f"{where}: {len(theirs)} rows in the workbook, {len(ours)} in CSV"
    )
    for number, (their_row, our_row) in enumerate(zip(theirs, ours, strict=True), 1):
        padded = their_row + [""] * (len(our_row) - len(their_row))
        for column, kind in enumerate(kinds):
            assert same_cell(kind, our_row[column], padded[column]), (
                f"{where}, row {number}, column {column + 1} ({kind}): "
                f"ours {our_row[column]!r}, LibreOffice {padded[column]!r}"
            )
