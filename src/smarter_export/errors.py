"""The one error taxonomy: user errors, retryable errors, timeouts, limits, cancellations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One field of a request that is wrong, and what to do about it."""

    field: str
    message: str


class ExportError(Exception):
    """Base of every error the service raises on purpose. `code` is stable and machine-readable."""

    code = "export_error"
    retryable = False
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ExportError):
    """The request names an unknown source, filter, column, sort or an ill-typed value."""

    code = "validation_error"
    http_status = 400

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(f"Invalid export request: {summary}")

    @classmethod
    def one(cls, field_name: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(field_name, message)])


class NotFound(ExportError):
    code = "not_found"
    http_status = 404


class NotReady(ExportError):
    """The export exists but has no file (yet): come back later, or never if it failed."""

    code = "not_ready"
    http_status = 409

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Gone(ExportError):
    """The link or the file has expired, or the file was deleted."""

    code = "gone"
    http_status = 410


class BadSignature(ExportError):
    code = "bad_signature"
    http_status = 403


class PayloadTooLarge(ExportError):
    code = "payload_too_large"
    http_status = 413


class TransientFailure(ExportError):
    """A fault worth retrying: database unavailable, storage timeout."""

    code = "transient_failure"
    retryable = True


class TimeLimitExceeded(ExportError):
    code = "time_limit_exceeded"


class ExportCancelled(ExportError):
    code = "cancelled"


class TooManyRequests(ExportError):
    """A rate limit was reached: the answer says when to try again."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.headers = headers
