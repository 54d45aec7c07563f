"""Who may export what: the permission matrix of roles and grants, and the auth error codes."""

from __future__ import annotations

import pytest

from smarter_export.auth.principal import Principal
from smarter_export.errors import AuthError, ExportError, Forbidden

SOURCES = ("matters", "clients", "timekeepers", "time_entries", "invoices", "analytics")
OPEN_SOURCES = ("matters", "clients", "timekeepers", "time_entries")
RESTRICTED = ("invoices", "analytics")


def make_principal(*, role: str = "user", permissions: tuple[str, ...] = ()) -> Principal:
    return Principal(
        user_id="user-1", tenant_id="firm-1", role=role, permissions=frozenset(permissions)
    )


@pytest.mark.parametrize("source", SOURCES)
def test_admin_may_export_every_source(source: str) -> None:
    assert make_principal(role="admin").may_export(source)


@pytest.mark.parametrize("role", ["user", "paralegal", ""])
@pytest.mark.parametrize("source", OPEN_SOURCES)
def test_any_role_may_export_the_open_sources(role: str, source: str) -> None:
    assert make_principal(role=role).may_export(source)


@pytest.mark.parametrize("role", ["user", "paralegal", "Admin"])
@pytest.mark.parametrize("source", RESTRICTED)
def test_non_admins_need_a_grant_for_billing_and_analytics(role: str, source: str) -> None:
    assert not make_principal(role=role).may_export(source)


@pytest.mark.parametrize("source", RESTRICTED)
def test_a_grant_by_name_opens_that_source_only(source: str) -> None:
    principal = make_principal(permissions=(f"export:{source}",))
    assert principal.may_export(source)
    other = next(s for s in RESTRICTED if s != source)
    assert not principal.may_export(other)


@pytest.mark.parametrize("source", SOURCES)
def test_export_star_opens_every_source(source: str) -> None:
    assert make_principal(permissions=("export:*",)).may_export(source)


def test_unrelated_permissions_grant_nothing() -> None:
    principal = make_principal(permissions=("export:", "export:invoices:read", "invoices"))
    assert not principal.may_export("invoices")


@pytest.mark.parametrize(
    ("role", "permissions", "expected"),
    [
        ("user", (), False),
        ("admin", (), False),
        ("admin", ("export:*",), False),
        ("user", ("matters:confidential",), True),
        ("admin", ("matters:confidential",), True),
    ],
)
def test_confidential_matters_need_the_explicit_permission(
    role: str, permissions: tuple[str, ...], expected: bool
) -> None:
    assert make_principal(role=role, permissions=permissions).sees_confidential is expected


def test_principal_is_immutable() -> None:
    principal = make_principal()
    with pytest.raises(AttributeError):
        principal.role = "admin"  # type: ignore[misc]


@pytest.mark.parametrize("code", ["unauthenticated", "invalid_token", "token_expired"])
def test_auth_errors_are_401_with_their_code(code: str) -> None:
    error = AuthError(code, "Sign in again.")  # type: ignore[arg-type]
    assert isinstance(error, ExportError)
    assert (error.code, error.http_status, error.message) == (code, 401, "Sign in again.")


def test_forbidden_is_403() -> None:
    error = Forbidden("You may not export invoices.")
    assert isinstance(error, ExportError)
    assert (error.code, error.http_status) == ("forbidden", 403)
