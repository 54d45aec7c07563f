"""`ordered_batches`: several readers, one stream in chunk order, stopped and failed cleanly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterable

import pytest

from smarter_export.jobs.fan_in import ordered_batches

# A chunk is a range of numbers, read in batches of 3.
Chunk = range


Read = Callable[[range], Generator[list[int], None, None]]


def _reader(log: list[tuple[str, int]]) -> Read:
    def read(chunk: Chunk) -> Generator[list[int], None, None]:
        log.append((threading.current_thread().name, id(chunk)))
        values = list(chunk)
        for start in range(0, len(values), 3):
            yield values[start : start + 3]

    return read


def fan_in_threads() -> list[threading.Thread]:
    """The stream's threads still alive (by their name: another test's thread, a server's or
    a writer's close finishing in the background, may come and go meanwhile)."""
    return [thread for thread in threading.enumerate() if thread.name.startswith("fan-in-")]


def _chunks(*sizes: int) -> list[range]:
    chunks, start = [], 0
    for size in sizes:
        chunks.append(range(start, start + size))
        start += size
    return chunks


@pytest.mark.parametrize("readers", [1, 2, 3, 5])
def test_the_stream_is_the_chunks_in_order_whoever_reads_them(readers: int) -> None:
    log: list[tuple[str, int]] = []
    chunks = _chunks(7, 0, 1, 12, 5, 0, 3, 9)
    read = [_reader(log) for _ in range(readers)]
    got = [value for batch in ordered_batches(read, chunks, depth=1) for value in batch]
    assert got == list(range(sum(len(c) for c in chunks)))
    # Chunk i was read by reader i mod n: the first reader in the caller's thread.
    caller = threading.current_thread().name
    readers_of = {chunk: name for name, chunk in log}
    assert len(readers_of) == len(chunks)  # each chunk read once
    for index, chunk in enumerate(chunks):
        expected = caller if index % readers == 0 else f"fan-in-{index % readers}"
        assert readers_of[id(chunk)] == expected


def test_a_thread_stays_at_most_depth_batches_ahead() -> None:
    made = {"count": 0}

    def counting(chunk: Chunk) -> Generator[list[int], None, None]:
        for value in chunk:
            made["count"] += 1
            yield [value]

    def slow_first(chunk: Chunk) -> Generator[list[int], None, None]:
        yield [chunk.start]

    stream = ordered_batches([slow_first, counting], [range(0, 1), range(1, 1001)], depth=2)
    assert next(stream) == [0]
    time.sleep(0.3)  # the thread has had every chance to run ahead
    # depth in the queue, one in hand waiting for a place, one being made
    assert made["count"] <= 2 + 2
    stream.close()


def test_closing_early_stops_every_thread_and_closes_its_reader_in_its_thread() -> None:
    closed: list[str] = []

    def endless(chunk: Chunk) -> Generator[list[int], None, None]:
        try:
            value = chunk.start
            while True:
                yield [value]
                value += 1
        finally:
            closed.append(threading.current_thread().name)

    stream = ordered_batches([endless, endless, endless], _chunks(1, 1, 1), depth=1)
    assert next(stream) == [0]
    stream.close()
    assert fan_in_threads() == []
    assert sorted(closed) == sorted([threading.current_thread().name, "fan-in-1", "fan-in-2"])


class Broken(Exception):
    pass


def _drain(batches: Iterable[list[int]], into: list[int]) -> None:
    for batch in batches:
        into.extend(batch)


def test_a_threads_error_is_raised_where_it_happened_in_the_stream() -> None:
    def fails_at_5(chunk: Chunk) -> Generator[list[int], None, None]:
        for value in chunk:
            if value == 5:
                raise Broken("value 5")
            yield [value]

    got: list[int] = []
    with pytest.raises(Broken, match="value 5"):
        _drain(ordered_batches([fails_at_5, fails_at_5], _chunks(3, 4, 3)), got)
    assert got == [0, 1, 2, 3, 4]  # everything before the failure, in order, and nothing after
    assert fan_in_threads() == []


def test_the_callers_error_stops_the_threads() -> None:
    def numbers(chunk: Chunk) -> Generator[list[int], None, None]:
        for value in chunk:
            yield [value]

    def writer_failing_at_60(batches: Iterable[list[int]]) -> None:
        for batch in batches:
            if batch == [60]:
                raise Broken("the writer failed")

    with pytest.raises(Broken):
        writer_failing_at_60(ordered_batches([numbers, numbers], _chunks(50, 50, 50, 50), depth=1))
    assert fan_in_threads() == []


def test_no_reader_is_refused() -> None:
    with pytest.raises(ValueError, match="reader"):
        list(ordered_batches([], _chunks(1)))
