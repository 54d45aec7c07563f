"""JSON Lines and Parquet hold the CSV's values: every source of the demo firm (every column,
child tables, analytics metrics) exported three ways from one plan's query, read back by json,
pyarrow, DuckDB and polars, compared value by value with the CSV as csv.reader reads it, and
each Parquet column typed by its kind."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from sqlalchemy import Engine

from smarter_export.formats.parquet_arrow import arrow_type
from smarter_export.sources.analytics.catalog import METRICS
from smarter_export.sources.registry import SOURCES
from smarter_export.tabular import ColumnKind, TableSpec
from tests.jobs.demo_exports import export_demo
from tests.readers import (
    archive_members,
    as_csv_reads,
    csv_tables,
    jsonl_reads,
    jsonl_tables,
    parquet_tables,
)

K = ColumnKind
PERIOD = {"dateFrom": "2023-01-01", "dateTo": "2025-12-31"}


def every_export() -> list[tuple[str, dict[str, Any]]]:
    exports: list[tuple[str, dict[str, Any]]] = []
    for name, source in SOURCES.items():
        if name == "analytics":
            exports += [(name, {"metric": metric, **PERIOD}) for metric in METRICS]
        elif source.available:
            exports.append((name, {"columns": list(source.column_names())}))
    return exports


def export(
    engine: Engine, folder: Path, source: str, params: dict[str, Any], format_name: str
) -> tuple[tuple[TableSpec, ...], bytes, str]:
    planned, path = export_demo(
        engine,
        folder,
        source=source,
        format_name=format_name,
        params=params,
        include_confidential=True,
        now=datetime(2026, 1, 5, 12, 0).astimezone(),
    )
    return planned.tables, path.read_bytes(), planned.info.timezone


def test_jsonl_and_parquet_hold_the_csv_values(demo_engine: Engine, tmp_path: Path) -> None:
    checked_kinds: set[ColumnKind] = set()
    for source, params in every_export():
        where = f"{source} {params.get('metric', '')}".strip()
        tables, csv_data, zone = export(demo_engine, tmp_path, source, params, "csv")
        csv_read = csv_tables(csv_data)
        _, jsonl_data, _ = export(demo_engine, tmp_path, source, params, "jsonl")
        _, parquet_data, _ = export(demo_engine, tmp_path, source, params, "parquet")
        jsonl_read, parquet_read = jsonl_tables(jsonl_data), parquet_tables(parquet_data)
        for table in tables:
            key = table.name if len(tables) > 1 else "main"
            kinds = [column.kind for column in table.columns]
            names = [column.name for column in table.columns]
            header, *rows = csv_read[key]
            assert header == [column.label for column in table.columns], where
            expected = [
                tuple(as_csv_reads(kind, cell) for kind, cell in zip(kinds, row, strict=True))
                for row in rows
            ]
            records = jsonl_read[key]
            assert all(list(record) == names for record in records), where
            assert [
                tuple(
                    jsonl_reads(kind, record[name]) for kind, name in zip(kinds, names, strict=True)
                )
                for record in records
            ] == expected, f"{where}, {table.name}: JSON Lines"

            parquet = parquet_read[key]
            assert parquet.schema.names == names
            assert parquet.schema.types == [arrow_type(kind, zone) for kind in kinds], where
            values = [tuple(row.values()) for row in parquet.to_pylist()]
            assert values == expected, f"{where}, {table.name}: Parquet (pyarrow)"
            member = archive_members(parquet_data)[key]
            duck_and_polars = other_readers(tmp_path, member)
            assert duck_and_polars == values, f"{where}, {table.name}: DuckDB, polars"
            if rows:
                checked_kinds.update(kinds)
    # Every kind a source has went through the comparison (no source has timestamps or
    # booleans yet: the writers' own tests hold those to the same values).
    assert checked_kinds == set(ColumnKind) - {K.DATETIME, K.BOOLEAN}


def other_readers(folder: Path, member: bytes) -> list[tuple[object, ...]]:
    """The rows as DuckDB and polars read the same file; they must agree with each other."""
    path = folder / "member.parquet"
    path.write_bytes(member)
    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")  # instants compare equal in any zone; read them in one
    duck_rows = duck.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    polars_rows = pl.read_parquet(io.BytesIO(member)).rows()
    assert duck_rows == polars_rows
    return duck_rows
