"""Parquet read back by pyarrow, DuckDB and polars: types, values, row groups, metadata."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smarter_export.formats.parquet import ParquetOptions, ParquetWriter
from smarter_export.formats.safety import neutralise
from tests.formats.conftest import (
    K,
    make_column,
    make_info,
    make_table,
    time_entry_rows,
    write_export,
)
from tests.formats.test_jsonl import EDGE_COLUMNS, EDGE_ROWS


def write(path: Path, rows: list[tuple[object, ...]], **options: object) -> None:
    table = make_table(columns=EDGE_COLUMNS)
    writer = ParquetWriter(ParquetOptions.model_validate(options))
    write_export(
        writer, path, tables=[table], rows={table.name: rows}, warnings=("Cut at 3 rows.",)
    )


def test_typed_columns_read_the_same_by_pyarrow_duckdb_and_polars(tmp_path: Path) -> None:
    path = tmp_path / "edge.parquet"
    write(path, EDGE_ROWS)
    table = pq.read_table(path)
    assert table.schema.types == [
        pa.string(),
        pa.string(),
        pa.int64(),
        pa.decimal128(38, 2),
        pa.decimal128(38, 6),
        pa.date32(),
        pa.timestamp("us", tz="America/New_York"),
        pa.bool_(),
    ]
    expected = [
        (
            "0000042",
            '\'=HYPERLINK("http://x","y")',
            90,
            Decimal("12345678901.23"),
            Decimal("0.75"),
            date(2024, 2, 29),
            datetime(2024, 7, 1, 16, 30, tzinfo=UTC),
            True,
        ),
        (
            "0000043",
            'Zoë "quoted"\nline',
            0,
            Decimal("-0.01"),
            Decimal("0.000001"),
            None,
            None,
            False,
        ),
        (None,) * 8,
    ]
    assert [tuple(row.values()) for row in table.to_pylist()] == expected

    duck = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    assert [str(t) for t in duck.types] == [
        "VARCHAR", "VARCHAR", "BIGINT", "DECIMAL(38,2)", "DECIMAL(38,6)", "DATE",
        "TIMESTAMP WITH TIME ZONE", "BOOLEAN",
    ]  # fmt: skip
    duck_rows = duck.fetchall()
    assert [row[:6] + row[7:] for row in duck_rows] == [row[:6] + row[7:] for row in expected]
    assert duck_rows[0][6] == expected[0][6]  # the same instant, in DuckDB's session zone

    frame = pl.read_parquet(path)
    assert frame.dtypes == [
        pl.String, pl.String, pl.Int64, pl.Decimal(38, 2), pl.Decimal(38, 6), pl.Date,
        pl.Datetime("us", "America/New_York"), pl.Boolean,
    ]  # fmt: skip
    assert frame["amount"].to_list() == [Decimal("12345678901.23"), Decimal("-0.01"), None]
    assert frame["approvedAt"][0] == expected[0][6]


def test_export_info_is_the_files_metadata(tmp_path: Path) -> None:
    path = tmp_path / "edge.parquet"
    write(path, EDGE_ROWS)
    metadata = {
        key.decode(): value.decode()
        for key, value in (pq.read_metadata(path).metadata or {}).items()
    }
    info = make_info()
    assert metadata["smarter_export.source"] == "time_entries"
    assert metadata["smarter_export.generated_at"] == info.generated_at.isoformat()
    assert json.loads(metadata["smarter_export.filters"]) == dict(info.filters)
    assert json.loads(metadata["smarter_export.warnings"]) == ["Cut at 3 rows."]
    # Column labels ride on the fields, for a reader that wants the headers people read.
    assert pq.read_schema(path).field("amount").metadata == {b"label": b"Amount"}


def test_row_groups_are_written_as_rows_stream_zstd_and_dictionary_text(tmp_path: Path) -> None:
    table = make_table()
    path = tmp_path / "entries.parquet"
    writer = ParquetWriter(ParquetOptions.model_validate({"rowGroupRows": 1_000}))
    write_export(writer, path, tables=[table], rows={table.name: time_entry_rows(2_500)})
    metadata = pq.read_metadata(path)
    assert metadata.num_rows == 2_500
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [
        1_000,
        1_000,
        500,
    ]
    names = [column.name for column in table.columns]
    timekeeper = metadata.row_group(0).column(names.index("timekeeper"))
    assert timekeeper.compression == "ZSTD"
    assert "RLE_DICTIONARY" in timekeeper.encodings or "PLAIN_DICTIONARY" in timekeeper.encodings
    hours = metadata.row_group(0).column(names.index("hours"))
    assert "RLE_DICTIONARY" not in hours.encodings  # numbers are stored plain
    assert pq.read_table(path).column("amount").type == pa.decimal128(38, 2)


def test_a_value_with_more_places_than_its_column_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(pa.ArrowInvalid):
        write(tmp_path / "bad.parquet", [("1", "x", 1, Decimal("0.001"), None, None, None, None)])


def test_child_tables_are_their_own_parquet_files_in_a_zip(tmp_path: Path) -> None:
    invoices = make_table(name="invoices", columns=[make_column(name="invoiceNumber", kind=K.ID)])
    items = make_table(
        name="line_items",
        columns=[
            make_column(name="invoiceNumber", kind=K.ID),
            make_column(name="amount", kind=K.MONEY),
        ],
    )
    path = tmp_path / "invoices.zip"
    summary = write_export(
        ParquetWriter(ParquetOptions()),
        path,
        tables=[invoices, items],
        rows={"invoices": [("INV-1",)], "line_items": [("INV-1", Decimal("9.99"))]},
    )
    assert summary.files == ("invoices.parquet", "line_items.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoices.zip"]  # no file left beside
    with zipfile.ZipFile(path) as archive:
        items_table = pq.read_table(io.BytesIO(archive.read("line_items.parquet")))
    assert items_table.to_pylist() == [{"invoiceNumber": "INV-1", "amount": Decimal("9.99")}]


def test_text_is_neutralised_exactly_as_neutralise_does(tmp_path: Path) -> None:
    texts = ["=1", "+1", "-1", "@a", "\tx", "\rx", "ok", "", None, "a=b", "x\n=1", "é="]
    table = make_table(columns=[make_column(name="note", kind=K.TEXT)])
    path = tmp_path / "texts.parquet"
    rows = [(text,) for text in texts]
    write_export(ParquetWriter(ParquetOptions()), path, tables=[table], rows={table.name: rows})
    expected = [None if text is None else neutralise(text) for text in texts]
    assert pq.read_table(path).column("note").to_pylist() == expected


def test_ids_and_text_are_neutralised_as_neutralise_does_in_every_batch(tmp_path: Path) -> None:
    # The guard runs per batch on each text and id column: a batch with no trigger, one with
    # only triggers, one mixed, each written as it comes.
    texts = ["plain", "é", None] * 3 + ["=1", "-2", "@x"] * 3 + ["+1", "ok", None, "\r="] * 3
    table = make_table(
        columns=[make_column(name="matterNumber", kind=K.ID), make_column(name="note")]
    )
    path = tmp_path / "batches.parquet"
    rows = [(text, text) for text in texts]
    writer = ParquetWriter(ParquetOptions())
    write_export(writer, path, tables=[table], rows={table.name: rows}, batch_size=9)
    expected = [None if text is None else neutralise(text) for text in texts]
    read = pq.read_table(path)
    assert read.column("matterNumber").to_pylist() == expected
    assert read.column("note").to_pylist() == expected


def test_pyarrow_is_loaded_only_by_a_parquet_export() -> None:
    # pyarrow adds some 80 MB to a process: the API, the worker and a CSV export go without.
    code = (
        "import sys, smarter_export.api.app, smarter_export.cli, smarter_export.formats.registry;"
        "print('pyarrow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


WRITE_IN_A_FRESH_PROCESS = """
import json, sys
from pathlib import Path
from smarter_export.formats.parquet import ParquetOptions, ParquetWriter
from tests.formats.conftest import make_table, write_export
from tests.formats.test_jsonl import EDGE_COLUMNS, EDGE_ROWS
table = make_table(columns=EDGE_COLUMNS)
writer = ParquetWriter(ParquetOptions())
rows = {table.name: EDGE_ROWS}
write_export(writer, Path(sys.argv[1]), tables=[table], rows=rows, warnings=("Cut at 3 rows.",))
import pyarrow
print(json.dumps([sorted(sys.modules), pyarrow.default_memory_pool().backend_name]))
"""


def test_an_export_loads_pyarrow_without_what_it_picks_up_and_writes_the_same_file(
    tmp_path: Path,
) -> None:
    # numpy, pandas, pyarrow.compute and the cloud file systems were 77 MB of a 1M-row export's
    # peak (README, Benchmarks), mimalloc some 20 MB more than the C library's allocator.
    alone = tmp_path / "alone.parquet"
    done = subprocess.run(
        [sys.executable, "-c", WRITE_IN_A_FRESH_PROCESS, str(alone)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    modules, allocator = json.loads(done.stdout)
    assert "pyarrow.parquet" in modules  # the listing is real
    loaded = {"numpy", "pandas", "pyarrow.compute", "pyarrow._s3fs", "pyarrow._gcsfs"}
    assert loaded.isdisjoint(modules)
    assert allocator == "system"
    # This process has pyarrow with numpy (and maybe pandas) and Arrow's default allocator:
    # the file is the same, byte for byte.
    assert "numpy" in sys.modules
    here = tmp_path / "here.parquet"
    write(here, EDGE_ROWS)
    assert alone.read_bytes() == here.read_bytes()
