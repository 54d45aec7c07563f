"""The ZIP package of a streamed workbook: small parts written whole, sheets streamed.

A sheet's XML is produced by the caller's thread and compressed (deflate, level 1) on a second
thread: zlib releases the GIL while it compresses, so rendering the next batch and compressing
the last one overlap on two cores. The queue between them is bounded, so memory stays flat
whatever the row count.

No part is written with ZIP64 forced on: LibreOffice refused such workbooks. zipfile then
refuses an entry past 2 GiB, so a sheet that nears that size is the caller's signal to continue
on a new sheet (`room_for`).
"""

from __future__ import annotations

import queue
import threading
import zipfile
from contextlib import suppress
from pathlib import Path
from typing import IO

# zipfile refuses a non-ZIP64 entry whose size passes this; keep a margin for one more chunk.
ENTRY_LIMIT_BYTES = zipfile.ZIP64_LIMIT - 64 * 1024 * 1024
_QUEUE_CHUNKS = 4  # chunks waiting for the deflate thread: about 4 batches of rendered XML
_STOP = b""


class WorkbookPackage:
    """One .xlsx file being written: parts in any order, at most one streamed part at a time."""

    def __init__(self, path: Path, entry_limit_bytes: int = ENTRY_LIMIT_BYTES) -> None:
        self._entry_limit = entry_limit_bytes
        # Opened here rather than by zipfile, so that the size can be read before it closes.
        self._file = path.open("wb")
        self._zip = zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._stream: DeflateStream | None = None

    def write_part(self, name: str, text: str) -> None:
        self._end_stream()
        self._zip.writestr(name, text.encode("utf-8"))

    def open_stream(self, name: str) -> DeflateStream:
        self._end_stream()
        self._stream = DeflateStream(
            self._zip.open(name, "w", force_zip64=False), self._entry_limit
        )
        return self._stream

    def close(self) -> int:
        """Finish the file; its size in bytes."""
        self._end_stream()
        self._zip.close()
        size = self._file.tell()
        self._file.close()
        return size

    def discard(self) -> None:
        """After a failure: stop the deflate thread and release the file, whatever its state."""
        if self._stream is not None:
            self._stream.discard()
            self._stream = None
        # A half-written entry may refuse to close; the caller deletes the partial file.
        with suppress(ValueError, RuntimeError, OSError):
            self._zip.close()
        self._file.close()

    def _end_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class DeflateStream:
    """A part written by a background thread: `write` queues text, the thread compresses it."""

    def __init__(self, entry: IO[bytes], limit_bytes: int) -> None:
        self.size = 0  # uncompressed bytes written so far
        self._entry = entry
        self._limit = limit_bytes
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)
        self._thread.start()

    def room_for(self, size: int) -> bool:
        return self.size + size <= self._limit

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        if not data:
            return
        self._raise_if_failed()
        self.size += len(data)
        self._queue.put(data)

    def close(self) -> None:
        self._queue.put(_STOP)
        self._thread.join()
        self._raise_if_failed()
        self._entry.close()

    def discard(self) -> None:
        self._error = self._error or RuntimeError("discarded")
        while True:  # make room so the stop mark fits, then let the thread end
            try:
                self._queue.put_nowait(_STOP)
                break
            except queue.Full:
                with suppress(queue.Empty):
                    self._queue.get_nowait()
        self._thread.join()
        # The partial file is deleted by the caller; an entry that refuses to close loses nothing.
        with suppress(ValueError, RuntimeError, OSError):
            self._entry.close()

    def _run(self) -> None:
        while (data := self._queue.get()) != _STOP:
            if self._error is None:
                try:
                    self._entry.write(data)
                except BaseException as error:  # handed to the writing thread, raised there
                    self._error = error

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError("writing the workbook failed") from self._error
