"""Prometheus metrics after real exports over HTTP: an API process and a worker process, each
scraped as Prometheus would; every label bounded (no id, firm or user ever)."""

from __future__ import annotations

import re
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.live import LiveFactory
from tests.servers.ports import free_port

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels; checks that no label is unbounded."""
    text = httpx.get(url, timeout=10).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for value in sample.labels.values():
                assert not UUID.search(value), (sample.name, sample.labels)
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_of_real_exports(live: LiveFactory) -> None:
    port = free_port()
    service = live("metrics", SMARTER_EXPORT_METRICS_PORT=str(port))
    service.start_api(worker=False)
    client = service.client(service.token(user="metrics"))
    made = [
        client.post("/api/v1/export/csv", json={"dataSource": "timekeepers"}),
        client.post("/api/v1/export/excel", json={"dataSource": "matters"}),
        client.post("/api/v1/export/csv", json={"dataSource": "clients"}),
    ]
    ids = [answer.json()["data"]["exportId"] for answer in made]
    client.delete(f"/api/v1/export/{ids[2]}")  # cancelled before any worker saw it
    client.get("/api/v1/export/status/" + ids[0])
    client.get("/no/such/page")

    api = scrape(f"{service.base_url}/metrics")
    created = "smarter_export_exports_created_total"
    assert value(api, created, source="timekeepers", format="csv") == 1
    assert value(api, created, source="matters", format="excel") == 1
    assert value(api, "smarter_export_jobs", state="waiting") == 2  # nobody runs them yet
    assert (
        value(api, "smarter_export_exports_finished_total", outcome="cancelled", format="csv") == 1
    )
    requests = "smarter_export_http_request_duration_seconds_count"
    assert value(api, requests, route="/api/v1/export/{format}", method="POST", status="2xx") == 3
    assert (
        value(api, requests, route="/api/v1/export/status/{export_id}", method="GET", status="2xx")
        == 1
    )
    assert value(api, requests, route="unmatched", method="GET", status="4xx") == 1

    service.start_worker()
    for export_id in ids[:2]:
        service.wait_for(client, export_id, ("completed",))
    done = [client.get(f"/api/v1/export/status/{i}").json()["data"] for i in ids[:2]]
    rows = sum(int(data["progress"]["rowsProcessed"]) for data in done)
    # A file without every matched row (confidential matters withheld, say) is "partial".
    outcomes = ["partial" if data["partial"] else "completed" for data in done]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            worker = scrape(f"http://127.0.0.1:{port}/metrics")
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    finished = "smarter_export_exports_finished_total"
    assert value(worker, finished, outcome=outcomes[0], format="csv") == 1
    assert value(worker, finished, outcome=outcomes[1], format="excel") == 1
    durations = "smarter_export_export_duration_seconds_count"
    assert value(worker, durations, format="csv") + value(worker, durations, format="excel") == 2
    row_sums = "smarter_export_export_rows_sum"
    assert (
        value(worker, row_sums, format="csv") + value(worker, row_sums, format="excel") == rows > 0
    )
    assert value(worker, "smarter_export_pickup_delay_seconds_count") == 2
    # The waiting figure is read from the job table: it falls as soon as they are done.
    after = scrape(f"{service.base_url}/metrics")
    assert value(after, "smarter_export_jobs", state="waiting") == 0
    assert value(after, "smarter_export_jobs", state="running") == 0
