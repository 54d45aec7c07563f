"""A real small file system for tests of a full disk: a tmpfs mounted by the test, as root.

CI runs as root; elsewhere the tests that need one are skipped and say why. Every mount is
unmounted when its test ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

BLOCK = b"\0" * (64 * 1024)


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of `size` ("3m") on `folder` for the duration of the block."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs the suite as root)")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True, capture_output=True)


def fill(folder: Path) -> Path:
    """Write a ballast file until the file system is full; remove it to free the space."""
    ballast = folder / "ballast"
    for block in (BLOCK, BLOCK[:512]):  # then what a 64 KiB block did not fit
        with ballast.open("ab", buffering=0) as handle:
            try:
                while True:
                    handle.write(block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    return ballast
