"""Values computed once per key and found again by one dict lookup in C: `KeptValues`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class KeptValues(dict[Any, Any]):
    """`compute(key)` for each key met, kept so that a key met again costs a lookup instead of a
    call: at most `most` of them, and only those `keep(key, value)` allows (the others are
    computed each time they come). Its memory is bounded however many rows go by."""

    def __init__(
        self, compute: Callable[[Any], Any], most: int, keep: Callable[[Any, Any], bool]
    ) -> None:
        super().__init__()
        self._compute, self._most, self._keep = compute, most, keep

    def __missing__(self, key: Any) -> Any:
        value = self._compute(key)
        if len(self) < self._most and self._keep(key, value):
            self[key] = value
        return value
