"""The two ways a caller is turned away: not known (401) or not allowed (403).

They live beside the token code rather than in the shared taxonomy because only the auth
package raises them; they still subclass `ExportError`, so the API's one error handler renders
them in the usual envelope (and adds `WWW-Authenticate` to every 401).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from smarter_export.errors import ExportError

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
