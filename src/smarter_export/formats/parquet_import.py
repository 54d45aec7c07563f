"""pyarrow, loaded for a Parquet export with what the export runs and not what pyarrow picks up
by itself when it finds it installed.

pyarrow loads numpy at its import when numpy is installed, pandas at its first conversion of a
Python list (to ask whether the list is a pandas object), and its S3, GCS, Azure and HDFS file
systems with `pyarrow.parquet`. The writer converts lists of Python values and writes a local
file: it needs none of them, and a service installed without the `bench` extra has neither
numpy nor pandas at all. Measured over `import smarter_export.cli` (56 MB): pyarrow and
`pyarrow.parquet` as pyarrow loads them add 69 MB and the first conversion 47 MB more; loaded
here, 48 MB and nothing (README, Benchmarks).

They are hidden only while pyarrow looks for them, and only when no one has loaded them yet:
once a process has numpy or pandas, pyarrow uses them as usual. The other way round, a process
that loads pyarrow here has a pyarrow without numpy for good: nothing in the service hands
pyarrow a numpy array, and pyarrow 18 and later run without numpy (it is no longer among their
requirements). pyarrow's pandas check retries the import when pandas is asked for, so a later
`to_pandas()` still works; the cloud file systems stay out of `pyarrow.fs` in this process,
which writes local files only (the storage uploads with boto3). The hiding lasts as long as the
first import of `parquet_arrow`: a worker thread importing numpy at that very moment would be
told it is missing, and none does.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

# pyarrow's optional integrations, each tried by an `import` that falls back when it fails.
OPTIONAL_FOR_PYARROW = ("numpy", "pandas")
CLOUD_FILE_SYSTEMS = ("pyarrow._s3fs", "pyarrow._gcsfs", "pyarrow._azurefs", "pyarrow._hdfs")


class _Hidden(importlib.abc.MetaPathFinder):
    """Answers "not installed" for the named modules, as pyarrow's fallbacks expect."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in self.names or fullname in self.names:
            raise ModuleNotFoundError(f"{fullname} is not used by a Parquet export", name=fullname)
        return None  # any other module is found as usual


@contextmanager
def _hiding(names: Sequence[str]) -> Iterator[None]:
    # A module some code has loaded already is never hidden from it.
    hidden = _Hidden(frozenset(name for name in names if name not in sys.modules))
    sys.meta_path.insert(0, hidden)
    try:
        yield
    finally:
        sys.meta_path.remove(hidden)


def load_pyarrow() -> None:
    """Loads pyarrow and `pyarrow.parquet` without the modules above (unless already loaded).

    The first conversion is made here, under the same hiding: pyarrow's pandas check runs once.
    """
    hide = list(CLOUD_FILE_SYSTEMS)
    if "pyarrow" not in sys.modules:  # pyarrow decides at its import whether it has numpy
        hide += OPTIONAL_FOR_PYARROW
    else:
        hide.append("pandas")
    # Arrow's memory from the C library's allocator, not the mimalloc pyarrow defaults to: the
    # 1M-row export peaked 15 to 30 MB lower with it (jemalloc as low, but not in every build),
    # as fast (README, Benchmarks). Arrow's own setting, read when Arrow first allocates, and
    # an operator's own choice wins; `pa.set_memory_pool` instead left the peak as it was.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    with _hiding(hide):
        import pyarrow as pa
        import pyarrow.parquet

        pa.array([], type=pa.null())
    assert pyarrow.parquet.ParquetWriter is not None
