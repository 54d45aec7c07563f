"""The one error taxonomy: what went wrong, and what the service does about it.

Every failure is one of four kinds (`classify`):

- **refused**: the request or the setup is wrong (a bad filter, no permission, no such bucket,
  a database without its schema). Said at once, in words a person can act on; never retried.
- **transient**: something the service depends on hiccupped (the database or the storage did
  not answer, a connection was cut, the disk or its quota is full). The export is retried with
  backoff, up to its attempts.
- **stopped**: the export was ended on purpose: cancelled, past its time limit, or its worker
  stopped under it too often. Not retried; the job says why.
- **bug**: anything else. The export fails with a reference; the log has the traceback.

The errors the service raises on purpose are `ExportError`s, each with a stable `code`, its
`kind` and the HTTP status the API answers with. Errors of the libraries underneath are sorted
here too (`classify`, `describe`), and nowhere else.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Literal

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class Failure(StrEnum):
    REFUSED = "refused"
    TRANSIENT = "transient"
    STOPPED = "stopped"
    BUG = "bug"


@dataclass(frozen=True)
class FieldProblem:
    """One field of a request that is wrong, and what to do about it."""

    field: str
    message: str


class ExportError(Exception):
    """Base of every error the service raises on purpose. `code` is stable and machine-readable."""

    code = "export_error"
    kind: ClassVar[Failure] = Failure.REFUSED
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- refused: the caller's request -----------------------------------------------------------------


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


AuthErrorCode = Literal["unauthenticated", "invalid_token", "token_expired"]


class AuthError(ExportError):
    """The caller could not be identified: no token, a garbled one, a forged or stale one.

    One class with a per-instance `code` rather than three classes: callers handle them alike
    (401 and sign in again) and only the code tells a client which of the three it was.
    """

    code: str = "unauthenticated"
    http_status: ClassVar[int] = 401

    def __init__(self, code: AuthErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class Forbidden(ExportError):
    """The caller is known but may not do this (another firm, a source they were not granted)."""

    code = "forbidden"
    http_status: ClassVar[int] = 403


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


class TooManyRequests(ExportError):
    """A rate limit was reached: the answer says when to try again."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.headers = headers


class FileRefused(ExportError):
    """The file would be rejected by whoever receives it (a client's e-billing system), or
    would be short with nowhere to say so: it is not written, and the message says what to fix."""

    code = "file_refused"
    http_status = 422


# -- refused: the setup ----------------------------------------------------------------------------


class SetupError(ExportError):
    """The service cannot start or run as configured: a database without its schema, an
    unreachable server, a folder it may not write. One line says which and what to do."""

    code = "setup_error"


class StorageRefused(ExportError):
    """The object store said no for good (no such bucket, access denied): a setup to fix."""

    code = "storage_refused"


# -- transient -------------------------------------------------------------------------------------


class TransientFailure(ExportError):
    """A fault worth retrying: database unavailable, storage timeout."""

    code = "transient_failure"
    kind = Failure.TRANSIENT


class OutOfSpace(TransientFailure):
    """The service's disk or quota is full. It clears by itself (expired exports are swept away
    every interval), so it is retried like any transient fault, and said in words."""

    code = "disk_full"
    # Said when its attempts run out: what an operator does about it.
    OPERATOR_ADVICE = (
        "an operator should free space in the export service's data folder, or in SQLite's "
        "temporary folder where a large export's rows are sorted (`/readyz` names the folder "
        "that is low), or raise the disk quota; then request the export again"
    )

    @classmethod
    def short_of(cls, needed_bytes: int, free_bytes: int, what: str) -> OutOfSpace:
        return cls(
            f"The export service is short of storage space for this export (about "
            f"{megabytes(needed_bytes)} needed for {what}, {megabytes(free_bytes)} free)."
        )


OUT_OF_SPACE = "The export service ran out of storage space."


def megabytes(size: int) -> str:
    """A size as a person reads it: "1.2 MB", "15 kB"."""
    if size < 100_000:
        return f"{size / 1_000:,.0f} kB"
    return f"{size / 1_000_000:,.1f} MB"


# -- stopped ---------------------------------------------------------------------------------------


class TimeLimitExceeded(ExportError):
    code = "time_limit_exceeded"
    kind = Failure.STOPPED

    @classmethod
    def after(cls, limit_seconds: int) -> TimeLimitExceeded:
        return cls(f"The export ran past its time limit of {limit_seconds} s; narrow the filters.")


class ExportCancelled(ExportError):
    code = "cancelled"
    kind = Failure.STOPPED


class WorkerStopped(ExportError):
    """The worker running the export stopped (killed, out of memory) on every attempt."""

    code = "worker_stopped"
    kind = Failure.STOPPED

    @classmethod
    def times(cls, stops: int) -> WorkerStopped:
        times = "once" if stops == 1 else f"{stops} times"
        return cls(
            f"The worker stopped {times} while running this export; it may be too large: "
            "narrow the filters (or choose CSV, which needs the least memory)."
        )


# -- the errors of the libraries underneath --------------------------------------------------------

# Operating-system errors worth a word of their own, by errno: (kind, code, message).
OS_ERRORS: dict[int, tuple[Failure, str, str]] = {
    errno.ENOSPC: (Failure.TRANSIENT, OutOfSpace.code, OUT_OF_SPACE),  # no space left on device
    errno.EDQUOT: (Failure.TRANSIENT, OutOfSpace.code, OUT_OF_SPACE),  # disk quota exceeded
}


def _os_error(error: BaseException) -> tuple[Failure, str, str] | None:
    """The OS_ERRORS entry of the operating-system error behind `error`, if any: a library may
    wrap it (XlsxWriter raises `FileCreateError` while handling the ENOSPC of its zip file)."""
    seen: BaseException | None = error
    for _ in range(5):  # a chain is short; never loop on a cycle
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno in OS_ERRORS:
            return OS_ERRORS[seen.errno]
        seen = seen.__cause__ or seen.__context__
    return None


def _sqlite_full(error: BaseException) -> bool:
    """SQLITE_FULL, from SQLAlchemy (the firm database) or raw (the embedded SqliteHuey queue)."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return isinstance(cause, sqlite3.OperationalError) and "disk is full" in str(cause)


def advice_when_retries_run_out(code: str) -> str | None:
    """What an operator should do when a transient fault outlasted every attempt, if known."""
    return OutOfSpace.OPERATOR_ADVICE if code == OutOfSpace.code else None


def classify(error: BaseException) -> Failure:
    if isinstance(error, ExportError):
        return error.kind
    if _sqlite_full(error):
        return Failure.TRANSIENT
    if isinstance(error, OperationalError | PoolTimeout):
        return Failure.TRANSIENT
    if isinstance(error, DBAPIError):
        return Failure.TRANSIENT if error.connection_invalidated else Failure.BUG
    if isinstance(error, ConnectionError | TimeoutError):
        return Failure.TRANSIENT
    if (known := _os_error(error)) is not None:
        return known[0]
    return Failure.BUG


def describe(error: BaseException, reference: str) -> tuple[str, str]:
    """The error code and the message a person reads on the job."""
    if isinstance(error, ExportError):
        return error.code, error.message
    if (known := _os_error(error)) is not None:
        _, code, message = known
        return code, message
    if _sqlite_full(error):
        return OutOfSpace.code, OUT_OF_SPACE
    if classify(error) is Failure.TRANSIENT:
        return "transient_failure", "The database or the file storage did not answer in time."
    return (
        "internal_error",
        f"The export failed unexpectedly (reference {reference}); the logs have the details.",
    )
