"""Export benchmark: the engine beside the tools a user would otherwise reach for, in one run.

    python benchmarks/export_bench.py [--rows 1000000] [--pdf-rows 50000] [--repeat 3]
                                      [--only csv,excel,pdf,parquet,jsonl]

Builds (once, cached under benchmarks/out/) a demo firm with N time entries, then exports its
time entries with their joined names (the engine's 13 default columns, the same SQL for every
method) as CSV, Excel, PDF, Parquet and JSON Lines. Every method runs in its own process; wall
time and peak RSS are measured per process and the median of the repeats is reported, with the
ratio to the anchor.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SELF = Path(__file__).resolve()


# -- the methods, each run in a child process ---------------------------------------------------


def _query(db: Path, limit: int | None) -> str:
    path = OUT / f"query-{limit or 'all'}.sql"
    return path.read_text()


def engine_sql(db: Path, limit: int | None) -> str:
    """The engine's own statement for the demo firm's time entries, as literal SQL."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from smarter_export.domain.database import make_engine
    from smarter_export.domain.tenants import find_firm
    from smarter_export.sources.base import Scope
    from smarter_export.sources.registry import get_source

    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    source = get_source("time_entries")
    query = source.parse({})
    statement = source.statement(Scope(firm.id, include_confidential=True), query)
    if limit:
        statement = statement.limit(limit)
    compiled = statement.compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def ours(
    format_name: str, db: Path, output: Path, limit: int | None
) -> tuple[list[str], dict[str, str]]:
    """The engine is measured as its own CLI process, as a user would run it."""
    env = {**os.environ, "SMARTER_EXPORT_DATABASE_URL": f"sqlite:///{db}"}
    if limit:
        env[f"SMARTER_EXPORT_MAX_ROWS_{format_name.upper()}"] = str(limit)
    command = [sys.executable, "-m", "smarter_export", "export", "time_entries"]
    command += ["--format", format_name, "--tenant", "demo", "--include-confidential"]
    return [*command, "--output", str(output)], env


def sqlite3_dump(db: Path, output: Path, limit: int | None) -> tuple[list[str], dict[str, str]]:
    """The C limit: the sqlite3 shell writing the same query as CSV."""
    return ["sqlite3", "-csv", "-header", str(db), _query(db, limit)], dict(os.environ)


def run_stdlib_csv(db: Path, output: Path, limit: int | None) -> None:
    sql = _query(db, limit)
    connection = sqlite3.connect(db)
    cursor = connection.execute(sql)
    with output.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([d[0] for d in cursor.description])
        while batch := cursor.fetchmany(5000):
            writer.writerows(batch)


def run_pandas_csv(db: Path, output: Path, limit: int | None) -> None:
    import pandas as pd

    frame = pd.read_sql(_query(db, limit), sqlite3.connect(db))
    frame.to_csv(output, index=False)


def run_pandas_excel(db: Path, output: Path, limit: int | None) -> None:
    import pandas as pd

    frame = pd.read_sql(_query(db, limit), sqlite3.connect(db))
    frame.to_excel(output, index=False, engine="xlsxwriter")


def run_bare_xlsxwriter(db: Path, output: Path, limit: int | None) -> None:
    import xlsxwriter

    sql = _query(db, limit)
    workbook = xlsxwriter.Workbook(
        str(output), {"constant_memory": True, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("Time entries")
    cursor = sqlite3.connect(db).execute(sql)
    sheet.write_row(0, 0, [d[0] for d in cursor.description])
    row_number = 1
    while batch := cursor.fetchmany(5000):
        for row in batch:
            sheet.write_row(row_number, 0, row)
            row_number += 1
    workbook.close()


def run_platypus(db: Path, output: Path, limit: int | None) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    cursor = sqlite3.connect(db).execute(_query(db, limit))
    data = [[d[0] for d in cursor.description]]
    data += [["" if v is None else str(v)[:30] for v in row] for row in cursor]
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [("FONTSIZE", (0, 0), (-1, -1), 6), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]
        )
    )
    SimpleDocTemplate(str(output), pagesize=landscape(letter)).build([table])


def run_plain_pyarrow(db: Path, output: Path, limit: int | None) -> None:
    """Parquet as a data engineer would write it by hand: cursor batches, types inferred by
    pyarrow, one row group per batch of 100,000, zstd."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cursor = sqlite3.connect(db).execute(_query(db, limit))
    names = [d[0] for d in cursor.description]
    writer = None
    while batch := cursor.fetchmany(100_000):
        table = pa.Table.from_arrays([pa.array(c) for c in zip(*batch, strict=True)], names)
        if writer is None:
            writer = pq.ParquetWriter(output, table.schema, compression="zstd")
        writer.write_table(table.cast(writer.schema))
    if writer is not None:
        writer.close()


def run_stdlib_jsonl(db: Path, output: Path, limit: int | None) -> None:
    """JSON Lines by hand: one json.dumps of a dict per row (numbers as SQLite gives them)."""
    cursor = sqlite3.connect(db).execute(_query(db, limit))
    names = [d[0] for d in cursor.description]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with output.open("w", encoding="utf-8") as handle:
        while batch := cursor.fetchmany(5000):
            handle.write(
                "".join(encode(dict(zip(names, row, strict=True))) + "\n" for row in batch)
            )


# Methods run inside this script's child process.
METHODS = {
    "stdlib-csv": run_stdlib_csv,
    "pandas-csv": run_pandas_csv,
    "bare-xlsxwriter": run_bare_xlsxwriter,
    "pandas-excel": run_pandas_excel,
    "platypus-longtable": run_platypus,
    "plain-pyarrow": run_plain_pyarrow,
    "stdlib-jsonl": run_stdlib_jsonl,
}
# Methods that are a program of their own: (command, environment) to run directly.
COMMANDS = {
    "ours-csv": lambda db, out, n: ours("csv", db, out, n),
    "sqlite3-dump": sqlite3_dump,
    "ours-excel": lambda db, out, n: ours("excel", db, out, n),
    "ours-pdf": lambda db, out, n: ours("pdf", db, out, n),
    "ours-parquet": lambda db, out, n: ours("parquet", db, out, n),
    "ours-jsonl": lambda db, out, n: ours("jsonl", db, out, n),
}


# -- the parent: build the data, time each method, print ratios -------------------------------


def build_database(rows: int) -> Path:
    db = OUT / f"firm-{rows}.db"
    if db.exists():
        return db
    from sqlalchemy import text

    from smarter_export.domain.database import make_engine
    from smarter_export.domain.demo_data import DemoSize, load_demo_data
    from smarter_export.domain.schema import upgrade

    OUT.mkdir(parents=True, exist_ok=True)
    partial = db.with_suffix(".building")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    upgrade(engine)
    started = time.monotonic()
    load_demo_data(engine, DemoSize(tenants=1, time_entries=rows, seed=1))
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    print(f"built {rows:,} time entries in {time.monotonic() - started:.1f} s", flush=True)
    shutil.move(partial, db)
    return db


def measure(method: str, db: Path, limit: int | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process running one method."""
    output = OUT / f"{method}.out"
    if method in COMMANDS:
        command, env = COMMANDS[method](db, output, limit)
    else:
        command = [
            sys.executable,
            str(SELF),
            "--run",
            method,
            "--db",
            str(db),
            "--output",
            str(output),
        ]
        command += ["--limit", str(limit)] if limit else []
        env = dict(os.environ)
    report = OUT / "measure.json"
    # Linux keeps a process's peak RSS across exec, so a child forked straight from this (large)
    # process would report our size as its own; a bare interpreter forks it instead.
    launcher = [sys.executable, "-S", "-c", LAUNCHER, str(report), json.dumps(command)]
    with output.open("wb") if method == "sqlite3-dump" else open(os.devnull, "wb") as sink:
        subprocess.run(launcher, env=env, stdout=sink, check=True)
    wall, peak_kb, status = json.loads(report.read_text())
    if status != 0:
        raise RuntimeError(f"{method} failed with status {status}")
    return wall, peak_kb / 1024


LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(json.loads(sys.argv[2]))
_, status, usage = os.wait4(process.pid, 0)  # this one child's own peak RSS (kB)
with open(sys.argv[1], "w") as out:
    json.dump([time.perf_counter() - started, usage.ru_maxrss, status], out)
"""


def rows_and_repeats(description: str | None) -> argparse.ArgumentParser:
    """The options every benchmark over the demo firm takes."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser


def main() -> None:
    parser = rows_and_repeats(__doc__)
    parser.add_argument("--pdf-rows", type=int, default=50_000)
    parser.add_argument(
        "--pandas-excel-rows",
        type=int,
        default=200_000,
        help="pandas to_excel is timed on this many rows and scaled per million",
    )
    parser.add_argument("--only", default="csv,excel,pdf")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        METHODS[args.run](args.db, args.output, args.limit)
        return

    db = build_database(args.rows)
    for limit in {None, args.pdf_rows, args.pandas_excel_rows}:
        (OUT / f"query-{limit or 'all'}.sql").write_text(engine_sql(db, limit))
    groups = {
        "csv": [("ours-csv", None), ("sqlite3-dump", None), ("stdlib-csv", None)],
        "excel": [("ours-excel", None), ("bare-xlsxwriter", None)],
        "pdf": [("ours-pdf", args.pdf_rows), ("platypus-longtable", args.pdf_rows)],
        "parquet": [("ours-parquet", None), ("plain-pyarrow", None)],
        "jsonl": [("ours-jsonl", None), ("stdlib-jsonl", None)],
        # Kept for reference, not run by default: pandas is far behind every other method.
        "pandas": [("pandas-csv", None), ("pandas-excel", args.pandas_excel_rows)],
    }
    anchors = {
        "csv": "sqlite3-dump",
        "excel": "bare-xlsxwriter",
        "pdf": "platypus-longtable",
        "parquet": "plain-pyarrow",
        "jsonl": "stdlib-jsonl",
        "pandas": "pandas-csv",
    }
    report: dict[str, dict[str, dict[str, float]]] = {}
    for group in args.only.split(","):
        report[group] = {}
        # Repeats go round the methods (A B A B A B), not method by method: on a shared machine
        # the load drifts, and each method should see the same drift.
        runs_of: dict[str, list[tuple[float, float]]] = {m: [] for m, _ in groups[group]}
        for _ in range(args.repeat):
            for method, limit in groups[group]:
                runs_of[method].append(measure(method, db, limit))
        for method, limit in groups[group]:
            runs = runs_of[method]
            wall = statistics.median(r[0] for r in runs)
            rows = limit or args.rows
            report[group][method] = {
                "rows": rows,
                "wall_s": round(wall, 2),
                "per_million_s": round(wall * 1_000_000 / rows, 2),
                "peak_rss_mb": round(max(r[1] for r in runs), 1),
            }
            print(
                f"{group:6} {method:20} {rows:>10,} rows {wall:8.2f} s  "
                f"{report[group][method]['peak_rss_mb']:8.1f} MB",
                flush=True,
            )
        anchor = report[group][anchors[group]]["per_million_s"]
        for figures in report[group].values():
            figures["ratio_to_anchor"] = round(figures["per_million_s"] / anchor, 2)
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    print("\n| format | method | rows | wall (median) | per 1M rows | ratio to anchor | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for group, methods in report.items():
        for method, f in methods.items():
            mark = " (anchor)" if method == anchors[group] else ""
            print(
                f"| {group} | {method}{mark} | {f['rows']:,} | {f['wall_s']} s | "
                f"{f['per_million_s']} s | {f['ratio_to_anchor']}x | {f['peak_rss_mb']} MB |"
            )


if __name__ == "__main__":
    main()
