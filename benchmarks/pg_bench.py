"""CSV on PostgreSQL: our CLI beside `psql \\copy (the same query) to stdout csv`, in one run.

    python benchmarks/pg_bench.py [--rows 1000000] [--repeat 3]

Starts a PostgreSQL from the installed binaries (as the tests do), loads a demo firm of N time
entries (minutes at a million; the loaded cluster is kept in benchmarks/out/pg-cluster-N and
reused by the next run), then times each method in its own process, the repeats going round
the methods, and reports medians, the ratio to psql and the machine's load average (1 minute,
after each run: the other processes' share of the cores, which the ratio does not remove).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.export_bench import LAUNCHER, OUT, rows_and_repeats  # noqa: E402
from tests.servers.postgres import PostgresServer, find_pg_bin  # noqa: E402


def engine_sql_pg(url: str) -> str:
    """The engine's statement for the demo firm's time entries, as literal PostgreSQL SQL."""
    from sqlalchemy.dialects import postgresql

    from smarter_export.domain.database import make_engine
    from smarter_export.domain.tenants import find_firm
    from smarter_export.sources.base import Scope
    from smarter_export.sources.registry import get_source

    engine = make_engine(url)
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    source = get_source("time_entries")
    statement = source.statement(Scope(firm.id, include_confidential=True), source.parse({}))
    compiled = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    engine.dispose()
    return str(compiled)


def loaded_server(bin_dir: Path, rows: int) -> PostgresServer:
    """A running server holding the demo firm of `rows` time entries in database "bench"."""
    from smarter_export.domain.database import make_engine
    from smarter_export.domain.demo_data import DemoSize, load_demo_data
    from smarter_export.domain.schema import upgrade

    root = OUT / f"pg-cluster-{rows}"
    loaded = root / "loaded"
    server = PostgresServer(bin_dir, root=root)
    if loaded.exists():
        server.resume()
        engine = make_engine(server.url("bench"))
        upgrade(engine)  # a migration landed since the cluster was loaded
        engine.dispose()
        return server
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    server.start()
    try:
        engine = make_engine(server.url(server.create_database(name="bench")))
        upgrade(engine)
        started = time.monotonic()
        load_demo_data(engine, DemoSize(tenants=1, time_entries=rows, seed=1))
        engine.dispose()
        print(f"loaded {rows:,} time entries in {time.monotonic() - started:.0f} s")
        subprocess.run(
            [str(bin_dir / "psql"), server.url("bench", "postgresql"), "-c", "VACUUM ANALYZE"],
            check=True,
            capture_output=True,
        )
    except BaseException:
        server.stop()
        raise
    loaded.touch()
    return server


def measured(command: list[str], env: dict[str, str], output: Path) -> tuple[float, float]:
    report = OUT / "pg-measure.json"
    launcher = [sys.executable, "-S", "-c", LAUNCHER, str(report), json.dumps(command)]
    with output.open("wb") as sink:
        subprocess.run(launcher, env=env, stdout=sink, check=True)
    wall, peak_kb, status = json.loads(report.read_text())
    if status != 0:
        raise RuntimeError(f"{command[0]} failed with status {status}")
    return wall, peak_kb / 1024


def main() -> None:
    args = rows_and_repeats(__doc__).parse_args()
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (no initdb/pg_ctl)")
    OUT.mkdir(parents=True, exist_ok=True)
    server = loaded_server(bin_dir, args.rows)
    try:
        url = server.url("bench")
        sql = engine_sql_pg(url)
        ours_env = {**os.environ, "SMARTER_EXPORT_DATABASE_URL": url}
        ours = [sys.executable, "-m", "smarter_export", "export", "time_entries"]
        ours += ["--format", "csv", "--tenant", "demo", "--include-confidential"]
        ours_file = OUT / "ours-pg.csv"
        methods = {
            "ours-csv-pg": ([*ours, "--output", str(ours_file)], ours_env),
            "psql-copy": (
                [
                    str(bin_dir / "psql"),
                    server.url("bench", "postgresql"),
                    "-c",
                    f"\\copy ({sql}) to stdout with (format csv, header)",
                ],
                dict(os.environ),
            ),
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
        loads: list[float] = []
        for _ in range(args.repeat):
            for name, (command, env) in methods.items():
                # Each starts without the file it writes: psql's output is truncated when the
                # launcher's stdout is opened, before the clock starts; ours is put in place by
                # a rename, which over the last run's 180 MB would also free its blocks (40 to
                # 60 ms) inside the timed run.
                ours_file.unlink(missing_ok=True)
                runs[name].append(measured(command, env, OUT / f"{name}.out"))
                loads.append(os.getloadavg()[0])
    finally:
        server.halt()
    anchor = statistics.median(r[0] for r in runs["psql-copy"])
    report = {}
    print("\n| method | rows | wall (median) | ratio to psql | peak RSS |")
    print("|---|---|---|---|---|")
    for name, measured_runs in runs.items():
        wall = statistics.median(r[0] for r in measured_runs)
        peak = max(r[1] for r in measured_runs)
        report[name] = {
            "wall_s": round(wall, 2),
            "ratio": round(wall / anchor, 2),
            "mb": peak,
            "runs_s": [round(r[0], 2) for r in measured_runs],
        }
        print(f"| {name} | {args.rows:,} | {wall:.2f} s | {wall / anchor:.2f}x | {peak:.0f} MB |")
    for name, measured_runs in runs.items():
        print(f"{name}, each run: {', '.join(f'{r[0]:.2f} s' for r in measured_runs)}")
    print(f"\nload average (1 min) after each run: {min(loads):.1f} to {max(loads):.1f}")
    report["load_average"] = {"min": min(loads), "max": max(loads)}
    (OUT / "pg-latest.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
