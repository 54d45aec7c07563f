"""Security headers on every kind of answer; placeholder secrets refused outside development."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
from sqlalchemy import text

from smarter_export.domain.database import make_engine
from tests.live import CLI, LiveFactory, LiveService, free_port, service_env, wait_ready
from tests.security.test_tenancy import made_and_finished

PROTECTIVE = {
    "X-Content-Type-Options": "nosniff",  # no sniffing a CSV into HTML
    "X-Frame-Options": "DENY",  # no framing
    "Referrer-Policy": "no-referrer",  # signed links never leak through a Referer
}


def test_every_answer_carries_the_security_headers(shared_service: LiveService) -> None:
    client = shared_service.client(shared_service.token(user="headers"))
    export_id = made_and_finished(shared_service, client, {"dataSource": "matters"})
    link = str(client.get(f"/api/v1/export/status/{export_id}").json()["data"]["downloadUrl"])
    private = {
        "status": client.get(f"/api/v1/export/status/{export_id}"),
        "list": client.get("/api/v1/export"),
        "file by token": client.get(f"/api/v1/export/download/{export_id}"),
        "file by link": httpx.get(link),
        "not found": client.get("/api/v1/export/status/00000000-0000-0000-0000-000000000000"),
        "bad request": client.post("/api/v1/export/csv", json={}),
        "unauthenticated": httpx.get(f"{shared_service.base_url}/api/v1/export"),
    }
    public = {
        "health": httpx.get(f"{shared_service.base_url}/healthz"),
        "openapi": httpx.get(f"{shared_service.base_url}/openapi.json"),
    }
    for name, answer in {**private, **public}.items():
        for header, value in PROTECTIVE.items():
            assert answer.headers.get(header) == value, (name, header, answer.headers)
    for name, answer in private.items():
        # Files and statuses are private: never kept by a browser or a proxy.
        assert answer.headers.get("Cache-Control") == "no-store", name


def test_placeholder_secrets_are_refused_outside_development(tmp_path: Path) -> None:
    env = service_env(
        tmp_path,
        SMARTER_EXPORT_ENVIRONMENT="production",
        SMARTER_EXPORT_JWT_SECRET="change-me-please",
        SMARTER_EXPORT_SIGNING_SECRETS='["kQ7vW2nZ9xR4bL1mYp8sH3fJ6uE0aC5gT9wN2qV7zX4k"]',
    )
    done = subprocess.run(
        [*CLI, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "SMARTER_EXPORT_JWT_SECRET" in done.stderr
    assert "Traceback" not in done.stderr
    # The same placeholder is accepted when the service is explicitly in development.
    development = service_env(tmp_path, SMARTER_EXPORT_JWT_SECRET="change-me-please")
    server = subprocess.Popen([*CLI, "serve", "--port", str(port := free_port())], env=development)
    try:
        assert wait_ready(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_500_from_a_bug_carries_the_envelope_and_the_headers(live: LiveFactory) -> None:
    """A fault no handler expects (here the export table went missing under the running
    service) is answered by the last-resort handler, outside the middleware: still protected."""
    service = live("bug")
    service.start_api(worker=False)
    client = service.client(service.token(user="bug"))
    engine = make_engine(service.settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE export_job RENAME TO export_job_gone"))
    engine.dispose()
    answer = client.get("/api/v1/export/status/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "internal_error"
    assert error["requestId"] in error["message"]
    assert "export_job" not in answer.text, "no internals out"
    for header, value in PROTECTIVE.items():
        assert answer.headers.get(header) == value, (header, answer.headers)
    assert answer.headers["Cache-Control"] == "no-store"
