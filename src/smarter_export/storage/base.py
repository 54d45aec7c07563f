"""The storage interface: publish a finished local file under a key, hand it out, delete it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 1 << 20

# Told the bytes handled so far while a file is published (from any thread); raising stops it.
PublishProgress = Callable[[int], None]


@dataclass(frozen=True)
class StoredFile:
    key: str
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class LocalDownload:
    """Serve these bytes from this process."""

    path: Path


@dataclass(frozen=True)
class RedirectDownload:
    """Send the browser to a short-lived URL of the object store."""

    url: str


Download = LocalDownload | RedirectDownload


class FileStorage(Protocol):
    def publish(
        self,
        local_file: Path,
        key: str,
        content_type: str,
        on_progress: PublishProgress | None = None,
    ) -> StoredFile:
        """Make a complete local file available under `key`, all at once or not at all.

        `on_progress` is called as the bytes are read or sent; an exception it raises stops the
        publishing and nothing appears under `key`."""
        ...

    def download(self, key: str, file_name: str, content_type: str) -> Download: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; deleting what is already gone is not an error."""
        ...

    def check(self) -> None:
        """Raise if the storage cannot be used (readiness)."""
        ...


def file_key(tenant_id: str, export_id: str, file_name: str) -> str:
    """`{tenant}/{export}/{name}`: built only from ids and a name the service chose."""
    return f"{tenant_id}/{export_id}/{file_name}"


def sha256_of(path: Path, on_progress: PublishProgress | None = None) -> str:
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
    return digest.hexdigest()
