"""HS256 tokens: what the verifier accepts, and every way it turns a caller away."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from smarter_export.auth.principal import Principal
from smarter_export.auth.secrets import MintingUnavailable, ServiceSecrets, resolve_secrets
from smarter_export.auth.tokens import TokenVerifier, mint_token
from smarter_export.errors import AuthError
from smarter_export.settings import Settings
from tests.auth.support import (
    STRONG_JWT_SECRET,
    bearer,
    claims,
    hmac_token,
    make_settings,
    new_rsa_key,
    public_pem,
    unsigned_token,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, jwt_secret=STRONG_JWT_SECRET)


@pytest.fixture
def secrets(settings: Settings) -> ServiceSecrets:
    return resolve_secrets(settings)


@pytest.fixture
def verifier(settings: Settings, secrets: ServiceSecrets) -> TokenVerifier:
    return TokenVerifier(settings, secrets)


def signed(payload: dict[str, object]) -> str:
    return jwt.encode(payload, STRONG_JWT_SECRET, algorithm="HS256")


def refused(verifier: TokenVerifier, header: str | None, code: str) -> AuthError:
    with pytest.raises(AuthError) as caught:
        verifier.verify(header)
    assert caught.value.code == code
    assert caught.value.http_status == 401
    assert STRONG_JWT_SECRET not in caught.value.message
    return caught.value


def test_a_minted_token_proves_its_principal(
    settings: Settings, secrets: ServiceSecrets, verifier: TokenVerifier
) -> None:
    issued = datetime.now(UTC)
    token = mint_token(
        settings,
        secrets,
        tenant_id="firm-1",
        user_id="ada",
        role="user",
        permissions=("export:invoices", "matters:confidential"),
        now=issued,
    )
    principal = verifier.verify(bearer(token))
    assert principal == Principal(
        user_id="ada",
        tenant_id="firm-1",
        role="user",
        permissions=frozenset({"export:invoices", "matters:confidential"}),
        issued_at=int(issued.timestamp()),
    )
    assert verifier.algorithm == "HS256"


def test_minted_claims_carry_issuer_audience_lifetime_and_id(
    settings: Settings, secrets: ServiceSecrets
) -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = mint_token(settings, secrets, tenant_id="t", user_id="u", ttl_seconds=90, now=now)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["iss"] == settings.jwt_issuer
    assert payload["aud"] == settings.jwt_audience
    assert (payload["iat"], payload["exp"]) == (int(now.timestamp()), int(now.timestamp()) + 90)
    assert payload["role"] == "admin"
    assert payload["permissions"] == []
    assert payload["jti"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_role_and_permissions_default_when_absent(verifier: TokenVerifier) -> None:
    principal = verifier.verify(bearer(signed(claims(role=None, permissions=None))))
    assert principal.role == "user"
    assert principal.permissions == frozenset()


def test_the_scheme_name_is_case_insensitive(verifier: TokenVerifier) -> None:
    assert verifier.verify(f"bearer   {signed(claims())}").user_id == "user-1"


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Bearer  ", "Basic xyz", "xyz"])
def test_no_bearer_token_is_unauthenticated(verifier: TokenVerifier, header: str | None) -> None:
    refused(verifier, header, "unauthenticated")


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "a.b", "....", "ey.ey.ey"])
def test_a_garbled_token_is_unauthenticated(verifier: TokenVerifier, garbage: str) -> None:
    refused(verifier, bearer(garbage), "unauthenticated")


def test_an_expired_token_says_so(
    settings: Settings, secrets: ServiceSecrets, verifier: TokenVerifier
) -> None:
    # Past the 30 s leeway: issued two hours ago for one hour.
    old = datetime.now(UTC) - timedelta(hours=2)
    token = mint_token(settings, secrets, tenant_id="t", user_id="u", ttl_seconds=3600, now=old)
    error = refused(verifier, bearer(token), "token_expired")
    assert "expired" in error.message


def test_a_token_just_expired_is_forgiven_within_the_leeway(verifier: TokenVerifier) -> None:
    now = int(datetime.now(UTC).timestamp())
    assert verifier.verify(bearer(signed(claims(iat=now - 100, exp=now - 10)))).tenant_id


def test_a_token_verified_before_is_refused_once_past_its_leeway(verifier: TokenVerifier) -> None:
    """Verified tokens are remembered (status polls send the same one), but not past expiry:
    accepted 28 s after its exp (the leeway is 30 s), refused when asked again 3 s later."""
    now = int(datetime.now(UTC).timestamp())
    token = bearer(signed(claims(iat=now - 100, exp=now - 28)))
    assert verifier.verify(token).tenant_id
    time.sleep(3)
    refused(verifier, token, "token_expired")


def test_a_remembered_token_is_still_its_own_principal(verifier: TokenVerifier) -> None:
    now = int(datetime.now(UTC).timestamp())
    first = bearer(signed(claims(iat=now, exp=now + 600, tenantId="firm-a", sub="ann")))
    second = bearer(signed(claims(iat=now, exp=now + 600, tenantId="firm-b", sub="bob")))
    for _ in range(2):
        assert (verifier.verify(first).tenant_id, verifier.verify(first).user_id) == (
            "firm-a",
            "ann",
        )
        assert verifier.verify(second).tenant_id == "firm-b"


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        ({"aud": "another-service"}, "aud"),
        ({"iss": "someone-else"}, "iss"),
        ({"tenantId": None}, "tenantId"),
        ({"tenantId": ""}, "tenantId"),
        ({"tenantId": 42}, "tenantId"),
        ({"exp": None}, "exp"),
        ({"iat": None}, "iat"),
        ({"sub": None}, "sub"),
        ({"aud": None}, "aud"),
        ({"iss": None}, "iss"),
        ({"permissions": "export:*"}, "permissions"),
        ({"permissions": ["export:*", 7]}, "permissions"),
        ({"role": ["admin"]}, "role"),
    ],
)
def test_a_token_with_wrong_or_missing_claims_is_refused(
    verifier: TokenVerifier, overrides: dict[str, object], hint: str
) -> None:
    error = refused(verifier, bearer(signed(claims(**overrides))), "invalid_token")
    assert hint in error.message


def test_a_token_signed_with_another_secret_is_refused(verifier: TokenVerifier) -> None:
    token = hmac_token(claims(), b"an-attacker-guess-of-the-secret-0123456789")
    error = refused(verifier, bearer(token), "invalid_token")
    assert "signature" in error.message


def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    error = refused(verifier, bearer(unsigned_token(claims(role="admin"))), "invalid_token")
    assert "HS256" in error.message


def test_an_rs256_token_is_refused_when_hs256_is_configured(verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), new_rsa_key(), algorithm="RS256")
    refused(verifier, bearer(token), "invalid_token")


def test_a_development_token_verifies_in_another_process(tmp_path: Path) -> None:
    # Two Settings objects over one data folder stand for `token` and `serve`: no secret is
    # configured, so both take the one generated into dev-secrets.json.
    minting = make_settings(tmp_path)
    token = mint_token(minting, resolve_secrets(minting), tenant_id="t", user_id="u")
    serving = make_settings(tmp_path)
    verifier = TokenVerifier(serving, resolve_secrets(serving))
    assert verifier.verify(bearer(token)).tenant_id == "t"


def test_minting_is_refused_when_tokens_are_rs256(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, jwt_public_key=public_pem(new_rsa_key()))
    with pytest.raises(MintingUnavailable, match="private key"):
        mint_token(settings, resolve_secrets(settings), tenant_id="t", user_id="u")
