"""Files in a local folder, one subfolder per tenant: the one-machine default."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from smarter_export.storage.base import (
    CHUNK,
    Download,
    LocalDownload,
    PublishProgress,
    StoredFile,
    sha256_of,
)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"storage key {key!r} leaves the storage folder")
        return path

    def publish(
        self,
        local_file: Path,
        key: str,
        content_type: str,
        on_progress: PublishProgress | None = None,
    ) -> StoredFile:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        stored = StoredFile(key, local_file.stat().st_size, sha256_of(local_file, on_progress))
        # A rename within one file system is atomic: a reader sees no file or the whole file.
        staging = target.with_name(f".{target.name}.publishing")
        try:
            if local_file.stat().st_dev == target.parent.stat().st_dev:
                os.replace(local_file, staging)
            else:
                _copy(local_file, staging, on_progress)
                local_file.unlink()
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
        return stored

    def download(self, key: str, file_name: str, content_type: str) -> Download:
        return LocalDownload(self._path(key))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Remove the export's folder when it is empty; the tenant folder stays.
        with contextlib.suppress(OSError):  # not empty, or already gone
            path.parent.rmdir()

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".readyz"
        probe.write_bytes(b"ok")
        probe.unlink()


def _copy(source: Path, target: Path, on_progress: PublishProgress | None) -> None:
    """A copy to another file system, reporting as it goes (it may be slow: a network mount)."""
    done = 0
    with source.open("rb") as reading, target.open("wb") as writing:
        while chunk := reading.read(CHUNK):
            writing.write(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
