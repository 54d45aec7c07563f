"""Secrets: generated once and shared in development, checked hard in production."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from smarter_export.auth.secrets import (
    DEV_SECRETS_FILE,
    InsecureConfiguration,
    ServiceSecrets,
    is_placeholder,
    resolve_secrets,
)
from tests.auth.support import STRONG_JWT_SECRET, STRONG_SIGNING_SECRET, make_settings

PEM = "-----BEGIN PUBLIC KEY-----\nnot checked here\n-----END PUBLIC KEY-----\n"


# -- development -----------------------------------------------------------------------------


def test_development_generates_missing_secrets_into_a_private_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "not-yet-there"
    resolved = resolve_secrets(make_settings(data_dir))

    assert resolved.jwt_secret is not None
    assert len(resolved.jwt_secret) >= 60
    assert len(resolved.signing_secrets) == 1
    assert resolved.signing_secrets[0] != resolved.jwt_secret
    path = data_dir / DEV_SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored == {
        "jwt_secret": resolved.jwt_secret,
        "signing_secret": resolved.signing_secrets[0],
    }
    # Only the secrets file is left behind: the temporary file it was written through is gone.
    assert [p.name for p in data_dir.iterdir()] == [DEV_SECRETS_FILE]


def test_a_second_process_reuses_the_generated_secrets(tmp_path: Path) -> None:
    first = resolve_secrets(make_settings(tmp_path))
    second = resolve_secrets(make_settings(tmp_path))
    assert second == first


def test_configured_secrets_win_and_placeholders_are_allowed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, jwt_secret="dev", signing_secrets=("change-me", "old"))
    resolved = resolve_secrets(settings)
    assert resolved.jwt_secret == "dev"
    assert resolved.signing_secrets == ("change-me", "old")
    assert not (tmp_path / DEV_SECRETS_FILE).exists()


def test_only_the_missing_secret_is_taken_from_the_file(tmp_path: Path) -> None:
    generated = resolve_secrets(make_settings(tmp_path))
    resolved = resolve_secrets(make_settings(tmp_path, jwt_secret="my-own"))
    assert resolved.jwt_secret == "my-own"
    assert resolved.signing_secrets == generated.signing_secrets


def test_no_jwt_secret_is_made_up_when_tokens_are_rs256(tmp_path: Path) -> None:
    resolved = resolve_secrets(make_settings(tmp_path, jwt_public_key=PEM))
    assert resolved.jwt_secret is None
    assert len(resolved.signing_secrets) == 1


def test_a_damaged_secrets_file_is_reported_not_replaced(tmp_path: Path) -> None:
    (tmp_path / DEV_SECRETS_FILE).write_text('{"jwt_secret": ""}')
    with pytest.raises(InsecureConfiguration, match="Delete it"):
        resolve_secrets(make_settings(tmp_path))


def test_secrets_do_not_show_in_repr(tmp_path: Path) -> None:
    resolved = resolve_secrets(make_settings(tmp_path))
    assert resolved.jwt_secret is not None
    assert resolved.jwt_secret not in repr(resolved)
    assert resolved.signing_secrets[0] not in repr(resolved)


# -- production ------------------------------------------------------------------------------


def production(tmp_path: Path, **fields: Any) -> ServiceSecrets:
    return resolve_secrets(make_settings(tmp_path, environment="production", **fields))


def test_production_accepts_strong_secrets_and_generates_nothing(tmp_path: Path) -> None:
    resolved = production(
        tmp_path, jwt_secret=STRONG_JWT_SECRET, signing_secrets=(STRONG_SIGNING_SECRET,)
    )
    assert resolved == ServiceSecrets(STRONG_JWT_SECRET, (STRONG_SIGNING_SECRET,))
    assert not (tmp_path / DEV_SECRETS_FILE).exists()


def test_production_accepts_rs256_without_a_jwt_secret(tmp_path: Path) -> None:
    production(
        tmp_path, jwt_jwks_url="https://id.example/jwks", signing_secrets=(STRONG_SIGNING_SECRET,)
    )
    production(tmp_path, jwt_public_key=PEM, signing_secrets=(STRONG_SIGNING_SECRET,))


@pytest.mark.parametrize(
    "weak",
    [
        "short-but-random-Q7x",
        "please-CHANGE-me-0123456789abcdefghijklmnop",
        "my-jwt-Secret-value-0123456789abcdefghijklm",
        "placeholder-0123456789abcdefghijklmnopqrstu",
        "example-key-0123456789abcdefghijklmnopqrstu",
        "DEV-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "test-key-0123456789abcdefghijklmnopqrstuvwxy",
        "password-0123456789abcdefghijklmnopqrstuvwxy",
        "x" * 64,
    ],
)
def test_production_refuses_a_weak_jwt_secret_naming_the_setting(tmp_path: Path, weak: str) -> None:
    with pytest.raises(InsecureConfiguration, match="SMARTER_EXPORT_JWT_SECRET") as caught:
        production(tmp_path, jwt_secret=weak, signing_secrets=(STRONG_SIGNING_SECRET,))
    assert weak not in str(caught.value)
    assert "token_urlsafe" in str(caught.value)


@pytest.mark.parametrize("weak", ["tooshort", "changeme" * 5, "a" * 40])
def test_production_refuses_a_weak_signing_secret_naming_the_setting(
    tmp_path: Path, weak: str
) -> None:
    # The weak one is second: every configured secret is checked, not only the newest.
    with pytest.raises(InsecureConfiguration, match="SMARTER_EXPORT_SIGNING_SECRETS") as caught:
        production(
            tmp_path, jwt_secret=STRONG_JWT_SECRET, signing_secrets=(STRONG_SIGNING_SECRET, weak)
        )
    assert "#2" in str(caught.value)
    assert weak not in str(caught.value)


def test_production_refuses_a_weak_jwt_secret_even_beside_rs256(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration, match="SMARTER_EXPORT_JWT_SECRET"):
        production(
            tmp_path,
            jwt_public_key=PEM,
            jwt_secret="secret",
            signing_secrets=(STRONG_SIGNING_SECRET,),
        )


def test_production_requires_a_signing_secret(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration, match="SMARTER_EXPORT_SIGNING_SECRETS"):
        production(tmp_path, jwt_secret=STRONG_JWT_SECRET)


def test_production_requires_a_way_to_verify_tokens(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration, match="SMARTER_EXPORT_JWT_PUBLIC_KEY"):
        production(tmp_path, signing_secrets=(STRONG_SIGNING_SECRET,))


def test_production_treats_an_empty_secret_as_missing(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration, match="No way to verify tokens"):
        production(tmp_path, jwt_secret="", signing_secrets=(STRONG_SIGNING_SECRET,))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ChangeMe", True), ("zzzz", True), ("", True), (STRONG_JWT_SECRET, False)],
)
def test_placeholder_detection(value: str, expected: bool) -> None:
    assert is_placeholder(value) is expected
