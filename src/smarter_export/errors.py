"""The one error taxonomy: user errors, retryable errors, timeouts, limits, cancellations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field of a request that is wrong, and what to do about it."""

    field: str
    message: str


class ExportError(Exception):
    """Base of every error the service raises on purpose. `code` is stable and machine-readable."""

    code = "export_error"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ExportError):
    """The request names an unknown source, filter, column, sort or an ill-typed value."""

    code = "validation_error"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(f"Invalid export request: {summary}")

    @classmethod
    def one(cls, field_name: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(field_name, message)])


class NotFound(ExportError):
    code = "not_found"


class TransientFailure(ExportError):
    """A fault worth retrying: database unavailable, storage timeout."""

    code = "transient_failure"
    retryable = True


class TimeLimitExceeded(ExportError):
    code = "time_limit_exceeded"


class ExportCancelled(ExportError):
    code = "cancelled"
