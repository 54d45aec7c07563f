"""Poppler's command-line tools as independent readers of the PDFs we write.

They are required, not optional: .ci/run installs poppler-utils, and a missing tool fails the
test that needs it with the command to run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: apt-get install -y poppler-utils"
    return path


def pdftotext(path: Path, *, layout: bool = False) -> str:
    options = ["-layout"] if layout else []
    result = subprocess.run(
        [_tool("pdftotext"), *options, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Base font name (without the subset tag) -> whether it is embedded, from `pdffonts`."""
    result = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True
    )
    fonts: dict[str, bool] = {}
    for line in result.stdout.splitlines()[2:]:
        name, *_, embedded, _subset, _unicode, _number, _generation = line.split()
        fonts[name.split("+")[-1]] = embedded == "yes"
    return fonts


def render_pages(path: Path, name: str, *, first: int = 1, last: int = 1) -> list[Path]:
    """Pages rendered to PNG by pdftoppm, kept under artifacts/pdf/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-r",
            "80",
            "-f",
            str(first),
            "-l",
            str(last),
            "-png",
            str(path),
            str(ARTIFACTS / name),
        ],
        check=True,
        capture_output=True,
    )
    pages = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert len(pages) == last - first + 1
    for page in pages:
        assert page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return pages
