"""Schemathesis against our own OpenAPI document, over HTTP to the real service: no 500, ever.

Requests carry a valid token of the demo firm (so generation reaches past authentication into
validation, the store and the files) and, for a share of them, none at all.
"""

from __future__ import annotations

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
