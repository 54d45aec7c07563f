"""What the load test measured, printed by the terminal summary hook at the end of the run."""

from __future__ import annotations

REPORTS: dict[str, list[str]] = {}
