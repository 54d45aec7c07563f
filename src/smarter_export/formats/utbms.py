"""The UTBMS code sets a LEDES line's codes are checked against (ABA Uniform Task-Based
Management System): litigation (L), counseling (C), project (P) and bankruptcy (B) tasks, the
activities (A) and the expenses (E). A code outside them is refused before the file is written:
a client's e-billing system rejects it.
"""

from __future__ import annotations

LITIGATION_TASKS = frozenset(
    {
        *("L110", "L120", "L130", "L140", "L150", "L160", "L190"),
        *("L210", "L220", "L230", "L240", "L250", "L260"),
        *("L310", "L320", "L330", "L340", "L350", "L390"),
        *("L410", "L420", "L430", "L440", "L450", "L460", "L470"),
        *("L510", "L520", "L530"),
    }
)
COUNSELING_TASKS = frozenset({"C100", "C200", "C300", "C400"})
PROJECT_TASKS = frozenset(
    {
        "P100", "P210", "P220", "P230", "P240", "P250", "P260", "P270", "P280",
        "P300", "P400", "P500", "P600", "P700", "P800",
    }
)  # fmt: skip
BANKRUPTCY_TASKS = frozenset(
    {
        "B110", "B120", "B130", "B140", "B150", "B160", "B170", "B180", "B185", "B190", "B195",
        "B210", "B220", "B230", "B240", "B250", "B260", "B310", "B320", "B410", "B420", "B430",
        "B440", "B450", "B460",
    }
)  # fmt: skip
TASK_CODES = LITIGATION_TASKS | COUNSELING_TASKS | PROJECT_TASKS | BANKRUPTCY_TASKS
ACTIVITY_CODES = frozenset(f"A{n}" for n in range(101, 112))  # A101 plan ... A111 other
EXPENSE_CODES = frozenset(f"E{n}" for n in range(101, 125))  # E101 copying ... E124 other
