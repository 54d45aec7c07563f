"""Schemathesis against our own OpenAPI document, over HTTP to the real service: no 500, ever.

Requests carry a valid token of the demo firm (so generation reaches past authentication into
validation, the store and the files) and, for a share of them, none at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live import LiveService
from tests.security.conftest import TALLY


def test_no_generated_request_gets_a_server_error(shared_service: LiveService) -> None:
    fuzzed = shared_service
    schema = schemathesis.openapi.from_url(f"{fuzzed.base_url}/openapi.json")
    signed_in = {"Authorization": f"Bearer {fuzzed.token(user='fuzzer')}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # every route of the API is in the document

    for operation in operations:

        @given(case=operation.as_strategy(), anonymous=st.integers(0, 3))
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def no_server_error(case: Any, anonymous: int) -> None:
            response = case.call(headers={"Authorization": ""} if anonymous == 0 else signed_in)
            TALLY.generated += 1
            if response.status_code >= 500:
                TALLY.server_errors += 1
            assert response.status_code < 500, f"{case.as_curl_command()}\n{response.text[:500]}"

        no_server_error()


CONFIG = Path(__file__).parent / "schemathesis.toml"


def test_schemathesis_with_every_check_and_the_stateful_phase_finds_nothing(
    shared_service: LiveService, tmp_path: Path
) -> None:
    """`schemathesis run` as a firm's integrator would: every check (tests/security/
    schemathesis.toml, each exception with its reason), the stateful phase following the
    document's links from a created export to its status, events, download and cancel."""
    fuzzed = shared_service
    token = fuzzed.token(user="stateful-fuzzer")
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{fuzzed.base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "12",
            "--workers",
            "1",
            "--seed",
            "18",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,  # the report is read below
        cwd=tmp_path,  # its cache of found failures (.schemathesis/) goes there
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "Stateful" in report and "passed" in report, report[-3000:]
    TALLY.generated += int(re.search(r"(\d+) generated", report).group(1))  # type: ignore[union-attr]
