"""The hostile-request tally: every attack the suite tries is counted, and the run says how many
were tried and that none got through (printed in pytest's terminal summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest


@dataclass
class Tally:
    tried: int = 0
    refused: int = 0
    breaches: list[str] = field(default_factory=list)
    generated: int = 0  # requests schemathesis made up from the OpenAPI document
    server_errors: int = 0

    def refused_with(self, answer: httpx.Response, *statuses: int, attack: str) -> dict[str, Any]:
        """Count one hostile request; it must be answered with one of `statuses` (an error
        envelope, never a 500); returns the error body."""
        self.tried += 1
        ok = answer.status_code in statuses
        if ok:
            self.refused += 1
        else:
            self.breaches.append(f"{attack}: {answer.status_code} {answer.text[:200]}")
        assert ok, f"{attack} was answered {answer.status_code}: {answer.text[:500]}"
        error: dict[str, Any] = answer.json()["error"]
        assert error["code"] and error["message"] and error["requestId"]
        return error


TALLY = Tally()


@pytest.fixture
def hostile() -> Tally:
    return TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not (TALLY.tried or TALLY.generated):
        return
    terminalreporter.write_sep("-", "security")
    terminalreporter.write_line(
        f"{TALLY.tried} hostile requests tried, {TALLY.refused} refused, "
        f"{len(TALLY.breaches)} got through"
    )
    if TALLY.generated:
        terminalreporter.write_line(
            f"{TALLY.generated} requests generated from the OpenAPI document, "
            f"{TALLY.server_errors} answered with a server error"
        )
    for breach in TALLY.breaches:
        terminalreporter.write_line(f"  GOT THROUGH: {breach}")
