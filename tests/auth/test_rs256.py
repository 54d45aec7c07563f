"""RS256 tokens from the identity provider, by PEM public key or by JWKS, and key confusion."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from smarter_export.auth.secrets import InsecureConfiguration, resolve_secrets
from smarter_export.auth.tokens import TokenVerifier
from smarter_export.errors import AuthError
from smarter_export.settings import Settings
from tests.auth.conftest import JWKS_KID, JwksServer
from tests.auth.support import (
    STRONG_JWT_SECRET,
    bearer,
    claims,
    hmac_token,
    make_settings,
    public_pem,
    unsigned_token,
)


def pem_verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(settings, resolve_secrets(settings))


@pytest.fixture
def pem_settings(tmp_path: Path, identity_key: rsa.RSAPrivateKey) -> Settings:
    # A JWT secret is configured too: RS256 must still be the only algorithm accepted.
    return make_settings(
        tmp_path, jwt_public_key=public_pem(identity_key), jwt_secret=STRONG_JWT_SECRET
    )


def refused(verifier: TokenVerifier, token: str, code: str = "invalid_token") -> AuthError:
    with pytest.raises(AuthError) as caught:
        verifier.verify(bearer(token))
    assert caught.value.code == code
    return caught.value


def test_a_token_signed_by_the_identity_provider_is_accepted(
    pem_settings: Settings, identity_key: rsa.RSAPrivateKey
) -> None:
    verifier = pem_verifier(pem_settings)
    token = jwt.encode(claims(role="admin", permissions=["export:*"]), identity_key, "RS256")
    principal = verifier.verify(bearer(token))
    assert (principal.user_id, principal.tenant_id, principal.role) == ("user-1", "firm-1", "admin")
    assert principal.permissions == frozenset({"export:*"})
    assert verifier.algorithm == "RS256"


def test_a_pem_with_escaped_line_breaks_is_read(
    tmp_path: Path, identity_key: rsa.RSAPrivateKey
) -> None:
    one_line = public_pem(identity_key).replace("\n", "\\n")
    verifier = pem_verifier(make_settings(tmp_path, jwt_public_key=one_line))
    assert verifier.verify(bearer(jwt.encode(claims(), identity_key, "RS256"))).user_id


def test_a_token_signed_with_another_private_key_is_refused(
    pem_settings: Settings, attacker_key: rsa.RSAPrivateKey
) -> None:
    error = refused(pem_verifier(pem_settings), jwt.encode(claims(), attacker_key, "RS256"))
    assert "signature" in error.message


def test_hs256_is_refused_when_rs256_is_configured(pem_settings: Settings) -> None:
    # Signed with the configured JWT secret, which the verifier would use for HS256 if it let
    # the token choose its algorithm.
    token = jwt.encode(claims(), STRONG_JWT_SECRET, algorithm="HS256")
    error = refused(pem_verifier(pem_settings), token)
    assert "RS256" in error.message


def test_key_confusion_hs256_signed_with_the_public_pem_is_refused(
    pem_settings: Settings,
) -> None:
    assert pem_settings.jwt_public_key is not None
    forged = hmac_token(claims(role="admin"), pem_settings.jwt_public_key.encode())
    refused(pem_verifier(pem_settings), forged)


def test_alg_none_is_refused_when_rs256_is_configured(pem_settings: Settings) -> None:
    refused(pem_verifier(pem_settings), unsigned_token(claims(role="admin")))


def test_claims_are_checked_on_rs256_tokens_too(
    pem_settings: Settings, identity_key: rsa.RSAPrivateKey
) -> None:
    verifier = pem_verifier(pem_settings)
    refused(verifier, jwt.encode(claims(tenantId=None), identity_key, "RS256"))
    refused(verifier, jwt.encode(claims(aud="other"), identity_key, "RS256"))
    refused(verifier, jwt.encode(claims(exp=1), identity_key, "RS256"), "token_expired")


def test_a_public_key_that_is_not_rsa_is_refused_at_start(tmp_path: Path) -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(InsecureConfiguration, match="RSA"):
        pem_verifier(make_settings(tmp_path, jwt_public_key=ec_pem))
    with pytest.raises(InsecureConfiguration, match="PEM"):
        pem_verifier(make_settings(tmp_path, jwt_public_key="not a key"))


# -- JWKS ------------------------------------------------------------------------------------


def jwks_verifier(tmp_path: Path, server: JwksServer) -> TokenVerifier:
    return pem_verifier(make_settings(tmp_path, jwt_jwks_url=server.url))


def test_a_token_whose_kid_is_in_the_jwks_is_accepted(
    tmp_path: Path, jwks_server: JwksServer, identity_key: rsa.RSAPrivateKey
) -> None:
    verifier = jwks_verifier(tmp_path, jwks_server)
    token = jwt.encode(claims(), identity_key, "RS256", headers={"kid": JWKS_KID})
    assert verifier.verify(bearer(token)).tenant_id == "firm-1"
    # The key is cached: a second request costs no second fetch.
    assert verifier.verify(bearer(token)).user_id == "user-1"
    assert jwks_server.requests == 1


def test_a_token_with_an_unknown_kid_is_refused(
    tmp_path: Path, jwks_server: JwksServer, identity_key: rsa.RSAPrivateKey
) -> None:
    token = jwt.encode(claims(), identity_key, "RS256", headers={"kid": "retired-key"})
    error = refused(jwks_verifier(tmp_path, jwks_server), token)
    assert "kid" in error.message


def test_a_jwks_token_signed_by_another_key_is_refused(
    tmp_path: Path, jwks_server: JwksServer, attacker_key: rsa.RSAPrivateKey
) -> None:
    token = jwt.encode(claims(), attacker_key, "RS256", headers={"kid": JWKS_KID})
    refused(jwks_verifier(tmp_path, jwks_server), token)


def test_forgeries_are_refused_before_the_jwks_is_fetched(
    tmp_path: Path, jwks_server: JwksServer
) -> None:
    verifier = jwks_verifier(tmp_path, jwks_server)
    refused(verifier, unsigned_token(claims()))
    refused(verifier, jwt.encode(claims(), STRONG_JWT_SECRET, "HS256", headers={"kid": JWKS_KID}))
    assert jwks_server.requests == 0


def test_an_unreachable_jwks_is_a_refusal_that_says_to_retry(
    tmp_path: Path, identity_key: rsa.RSAPrivateKey
) -> None:
    with JwksServer({"keys": []}) as server:
        url = server.url  # closed on leaving the block: nothing listens there any more
    verifier = pem_verifier(make_settings(tmp_path, jwt_jwks_url=url))
    token = jwt.encode(claims(), identity_key, "RS256", headers={"kid": JWKS_KID})
    error = refused(verifier, token)
    assert "try again" in error.message
