"""Service benchmark: status polls under wrk, and how soon a queued export is picked up.

    python benchmarks/service_bench.py [--seconds 15] [--connections 32] [--exports 30]

Starts `smarter-export serve --demo` as `make run` does (its own data folder under
benchmarks/out/service, SQLite and the embedded queue), then with a Redis queue (a
redis-server on a free port) when redis-server exists. For each: wrk on `GET /status/{id}` and
on `/healthz` side by side, and the pick-up of small exports: from the 202 to `processing` as
the job row records it (`startedAt - createdAt`), p50 and p95.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
API = "/api/v1/export"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(base: str, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["data"]


class Service:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "SMARTER_EXPORT_DATA_DIR": str(data_dir),
            # The pick-up run creates more exports a minute than a person may.
            "SMARTER_EXPORT_RATE_LIMIT_PER_USER": "1000/minute",
            "SMARTER_EXPORT_RATE_LIMIT_PER_TENANT": "1000/minute",
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smarter_export", "serve", "--demo", "--port", str(self.port)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.token = self._read_token()
        self._wait_ready()

    def _read_token(self) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.count(".") == 2 and " " not in line.strip():
                return line.strip()
        raise RuntimeError("serve printed no token")

    def _wait_ready(self) -> None:
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the service did not answer")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    auth = f"Authorization: Bearer {token}"
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url, "-H", auth],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    assert p99 is not None, output
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": rate,
        "p99_ms": float(p99.group(1)) * unit,
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }


def pick_up(service: Service, exports: int) -> dict[str, float]:
    """Seconds from the export's creation to its claim by a worker, as the job row says."""
    waits = []
    for _ in range(exports):
        body = {"dataSource": "timekeepers"}
        created = call(service.base, service.token, "POST", f"{API}/csv", body)
        for _ in range(600):
            status = call(service.base, service.token, "GET", f"{API}/status/{created['exportId']}")
            if status["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.02)
        assert status["status"] == "completed", status
        started = datetime.fromisoformat(status["startedAt"])
        waits.append((started - datetime.fromisoformat(status["createdAt"])).total_seconds())
        time.sleep(0.2)  # one export at a time: the pick-up of an idle service
    waits.sort()
    return {
        "p50_ms": statistics.median(waits) * 1000,
        "p95_ms": waits[max(0, round(len(waits) * 0.95) - 1)] * 1000,
        "max_ms": waits[-1] * 1000,
    }


def measure(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    service = Service(OUT / "service" / name, env)
    try:
        export = call(service.base, service.token, "POST", f"{API}/csv", {"dataSource": "matters"})
        status_url = f"{service.base}{API}/status/{export['exportId']}"
        time.sleep(2)
        connections = args.connections
        report = {
            "status": wrk(status_url, service.token, args.seconds, args.connections),
            "healthz": wrk(f"{service.base}/healthz", service.token, args.seconds, connections),
            "pick_up": pick_up(service, args.exports),
        }
    finally:
        service.stop()
    print(f"{name}: {json.dumps(report)}", flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--exports", type=int, default=30)
    args = parser.parse_args()
    results = {"embedded": measure("embedded", {}, args)}
    redis = shutil.which("redis-server")
    if redis:
        port = free_port()
        folder = tempfile.mkdtemp()
        server = subprocess.Popen(
            [redis, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            env = {"SMARTER_EXPORT_QUEUE_URL": f"redis://127.0.0.1:{port}/0"}
            results["redis"] = measure("redis", env, args)
        finally:
            server.terminate()
            server.wait()
    (OUT / "service-latest.json").write_text(json.dumps(results, indent=2))
    print("\n| queue | status polls | p99 | /healthz | pick-up p50 | pick-up p95 |")
    print("|---|---|---|---|---|---|")
    for queue, r in results.items():
        print(
            f"| {queue} | {r['status']['requests_per_s']:,.0f} requests/s | "
            f"{r['status']['p99_ms']:.0f} ms | {r['healthz']['requests_per_s']:,.0f} requests/s | "
            f"{r['pick_up']['p50_ms']:.0f} ms | {r['pick_up']['p95_ms']:.0f} ms |"
        )


if __name__ == "__main__":
    main()
