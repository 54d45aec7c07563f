"""`smarter-export export --format ... --option key=value`: the format's options from the CLI."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa

from tests.readers import csv_tables, parquet_tables
from tests.test_cli import data_dir, run

__all__ = ["data_dir"]  # the module's demo firm, shared with the CLI's other tests


def test_options_shape_the_file(data_dir: Path) -> None:
    plain, packed = data_dir / "matters.csv", data_dir / "matters.csv.gz"
    args = ("export", "matters", "--tenant", "demo", "--output")
    assert run(data_dir, *args, str(plain)).returncode == 0
    done = run(data_dir, *args, str(packed), "--option", "compression=gzip")
    assert done.returncode == 0, done.stderr
    assert csv_tables(gzip.decompress(packed.read_bytes())) == csv_tables(plain.read_bytes())

    parquet = data_dir / "matters.parquet"
    options = ("--option", "compression=none", "--option", "rowGroupRows=1000")
    done = run(data_dir, *args, str(parquet), "--format", "parquet", *options)
    assert done.returncode == 0, done.stderr
    (table,) = parquet_tables(parquet.read_bytes()).values()
    assert table.num_rows == len(csv_tables(plain.read_bytes())["main"]) - 1
    assert table.schema.field("hourlyRate").type == pa.decimal128(38, 2)


def test_an_option_the_format_lacks_is_refused_by_name(data_dir: Path) -> None:
    output = data_dir / "refused.xlsx"
    done = run(
        data_dir, "export", "matters", "--tenant", "demo", "--output", str(output),
        "--format", "excel", "--option", "compression=gzip",
    )  # fmt: skip
    assert done.returncode == 2
    message = " ".join(done.stderr.split())  # rich wraps the line at the terminal width
    assert "options.compression: unknown option for the excel format" in message
    assert not output.exists()
