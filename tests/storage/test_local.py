"""The local folder: one subfolder per tenant, atomic publish, keys that cannot escape."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from smarter_export.storage.base import LocalDownload, file_key
from smarter_export.storage.local import LocalStorage


def test_publish_moves_the_whole_file_under_its_key(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    staged = tmp_path / "staged.csv"
    staged.write_bytes(b"a,b\r\n1,2\r\n")
    key = file_key("tenant-1", "export-1", "matters.csv")
    stored = storage.publish(staged, key, "text/csv")
    assert stored.size_bytes == 10
    assert stored.sha256 == hashlib.sha256(b"a,b\r\n1,2\r\n").hexdigest()
    assert not staged.exists()
    target = storage.download(key, "matters.csv", "text/csv")
    assert isinstance(target, LocalDownload)
    assert target.path == tmp_path / "files" / "tenant-1" / "export-1" / "matters.csv"
    assert storage.exists(key)
    storage.delete(key)
    storage.delete(key)  # deleting what is gone is no error
    assert not storage.exists(key)
    assert (tmp_path / "files" / "tenant-1").is_dir()


@pytest.mark.parametrize("key", ["../escape.csv", "t/../../escape.csv", "/etc/passwd", ""])
def test_keys_cannot_leave_the_folder(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path / "files")
    with pytest.raises(ValueError, match="leaves the storage folder"):
        storage.exists(key)
