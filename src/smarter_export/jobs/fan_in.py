"""One ordered stream of batches read on several connections at once.

A table is cut into chunks whose concatenation, in order, is the table (date ranges, say).
Reader 0 reads chunks 0, n, 2n, … in the calling thread; reader k (k ≥ 1) reads chunks k,
n + k, … on its own thread, a bounded queue ahead of the caller. The caller gets every chunk's
batches in chunk order, so the file is written exactly as one reader would have written it,
while the database steps the other chunks on another core (SQLite and psycopg let go of the
GIL while they wait on the database).

Memory stays flat: a thread is at most `depth` batches ahead. When the caller stops early (a
cancel, a writer's error, the generator closed), every thread is told to stop, its reader is
closed in its own thread (the cursor reset before the connection is used again), and the
threads are joined before the caller goes on. A reader's error reaches the caller at the point
in the stream where it happened.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Generic, TypeVar

Chunk = TypeVar("Chunk")
Batch = TypeVar("Batch")
Reader = Callable[[Chunk], Generator[Batch, None, None]]

_PUT_WAIT = 0.1  # seconds between a blocked thread's looks at the stop flag


@dataclass(frozen=True)
class _Done:
    """A chunk's end in a thread's queue."""


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = _Done()


class _Ahead(Generic[Chunk, Batch]):
    """One reader on its own thread, reading its chunks into a bounded queue."""

    def __init__(
        self, reader: Reader[Chunk, Batch], chunks: Sequence[Chunk], depth: int, name: str
    ) -> None:
        self._reader = reader
        self._chunks = chunks
        self._stop = threading.Event()
        self.queue: queue.Queue[Batch | _Done | _Failed] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for chunk in self._chunks:
                with closing(self._reader(chunk)) as batches:
                    for batch in batches:
                        if not self._put(batch):
                            return
                if not self._put(_DONE):
                    return
        except BaseException as error:  # handed to the caller, who raises it where it belongs
            self._put(_Failed(error))

    def _put(self, item: Batch | _Done | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self.queue.put(item, timeout=_PUT_WAIT)
            except queue.Full:
                continue
            return True
        return False

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def ordered_batches(
    readers: Sequence[Reader[Chunk, Batch]], chunks: Sequence[Chunk], *, depth: int = 4
) -> Generator[Batch, None, None]:
    """Every chunk's batches, in chunk order, chunk i read by reader i mod len(readers)."""
    if not readers:
        raise ValueError("at least one reader")
    count = len(readers)
    ahead = [
        _Ahead(reader, chunks[index::count], depth, f"fan-in-{index}")
        for index, reader in enumerate(readers[1:], start=1)
        if chunks[index::count]
    ]
    try:
        for index, chunk in enumerate(chunks):
            owner = index % count
            if owner == 0:
                with closing(readers[0](chunk)) as own:
                    yield from own
                continue
            waiting = ahead[owner - 1].queue
            while not isinstance(item := waiting.get(), _Done):
                if isinstance(item, _Failed):
                    raise item.error
                yield item
    finally:
        for thread in ahead:
            thread.stop()
