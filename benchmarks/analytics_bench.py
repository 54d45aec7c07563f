"""Analytics benchmark: every metric, by every grouping it offers, over the demo firm.

    python benchmarks/analytics_bench.py [--rows 1000000] [--repeat 3]

Uses the same cached demo firm as export_bench.py (benchmarks/out/firm-N.db, built once with N
time entries), and times a whole CSV export of each metric through the engine, in this process,
over the firm's whole history (2023-01-01 to 2026-01-15), with confidential matters included.
The median of the repeats is reported.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from smarter_export.domain.database import make_engine
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs.engine import run_export
from smarter_export.jobs.plan import plan_export
from smarter_export.settings import Settings
from smarter_export.sources.analytics.filters import DIMENSIONS

# The demo firm is export_bench's, built and cached once for both benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_bench import OUT, build_database, rows_and_repeats

PERIOD = {"dateFrom": "2023-01-01", "dateTo": "2026-01-15"}


def main() -> None:
    args = rows_and_repeats(__doc__).parse_args()

    db = build_database(args.rows)
    engine = make_engine(f"sqlite:///{db}")
    settings = Settings(data_dir=OUT)
    with engine.connect() as connection:
        firm = find_firm(connection, "demo")
    report: dict[str, dict[str, dict[str, float]]] = {}
    for metric, dimensions in DIMENSIONS.items():
        report[metric] = {}
        for dimension in dimensions:
            params = {"metric": metric, "groupBy": dimension, **PERIOD}
            seconds, rows = [], 0
            for _ in range(args.repeat):
                planned = plan_export(
                    settings,
                    firm=firm,
                    source_name="analytics",
                    format_name="csv",
                    params=params,
                    requested_by="bench",
                    include_confidential=True,
                )
                started = time.perf_counter()
                result = run_export(engine, planned, OUT / "analytics.csv")
                seconds.append(time.perf_counter() - started)
                rows = result.rows_written["analytics"]
            wall = statistics.median(seconds)
            report[metric][dimension] = {"rows": rows, "wall_s": round(wall, 2)}
            print(f"{metric:22} {dimension:14} {rows:6,} rows {wall:7.2f} s", flush=True)
    engine.dispose()
    (OUT / "analytics-latest.json").write_text(json.dumps(report, indent=2))
    print(f"\n| metric | by | rows | seconds (median of {args.repeat}) |")
    print("|---|---|---|---|")
    for metric, by_dimension in report.items():
        for dimension, figures in by_dimension.items():
            print(f"| {metric} | {dimension} | {figures['rows']:,} | {figures['wall_s']} s |")


if __name__ == "__main__":
    main()
