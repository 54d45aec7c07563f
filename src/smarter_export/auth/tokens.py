"""Bearer tokens: verify the platform's JWTs into a `Principal`, and mint development ones.

The algorithm is pinned by configuration, never taken from the token: with a public key or a
JWKS URL only RS256 is accepted, otherwise only HS256 with the JWT secret. A token that names
another algorithm (`none`, or HS256 signed with the public key as an HMAC secret, the classic
key-confusion forgery) is refused before any key is looked up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from smarter_export.auth.principal import Principal
from smarter_export.auth.secrets import (
    JWT_SECRET_VARIABLE,
    InsecureConfiguration,
    MintingUnavailable,
    ServiceSecrets,
)
from smarter_export.errors import AuthError
from smarter_export.settings import Settings

LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss"]
JWKS_TIMEOUT_SECONDS = 10
DEFAULT_ROLE = "user"
VERIFIED_TOKENS_KEPT = 4096  # tokens remembered as verified; all are forgotten when full
SIGN_IN_AGAIN = "Sign in again to get a new token."


class TokenVerifier:
    """Turns an `Authorization` header into the `Principal` it proves, or raises `AuthError`."""

    def __init__(self, settings: Settings, secrets: ServiceSecrets) -> None:
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._jwks: jwt.PyJWKClient | None = None
        self._key: RSAPublicKey | str | None = None
        # Tokens whose signature and claims were checked, until they expire: a client polling
        # its export sends the same token each time, and decoding it again cost a status poll
        # a tenth of its time. Past `exp` a token is checked in full again (and refused).
        self._verified: dict[str, tuple[Principal, float]] = {}
        if settings.jwt_public_key:
            self._algorithm = "RS256"
            self._key = _rsa_public_key(settings.jwt_public_key)
        elif settings.jwt_jwks_url:
            self._algorithm = "RS256"
            # cache_keys keeps fetched keys, so a request costs no network round trip once its
            # `kid` has been seen; an unknown `kid` (key rotation) triggers a refetch.
            self._jwks = jwt.PyJWKClient(
                settings.jwt_jwks_url, cache_keys=True, timeout=JWKS_TIMEOUT_SECONDS
            )
        elif secrets.jwt_secret:
            self._algorithm = "HS256"
            self._key = secrets.jwt_secret
        else:
            raise InsecureConfiguration(
                "No way to verify tokens is configured: set SMARTER_EXPORT_JWT_PUBLIC_KEY, "
                f"SMARTER_EXPORT_JWT_JWKS_URL or {JWT_SECRET_VARIABLE}."
            )

    @property
    def algorithm(self) -> str:
        return self._algorithm

    def verify(self, authorization_header_value: str | None) -> Principal:
        token = _bearer_token(authorization_header_value)
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        claims = self._decode(token)
        principal = _principal_from(claims)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]))
        return principal

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            # jwt.decode would refuse another algorithm as well; checking first means a forged
            # token costs no JWKS fetch and gets a message that names the algorithm expected.
            if header.get("alg") != self._algorithm:
                raise AuthError(
                    "invalid_token",
                    f"This service accepts {self._algorithm} tokens only; this one is signed "
                    f"with {str(header.get('alg'))[:20]!r}. {SIGN_IN_AGAIN}",
                )
            key = self._signing_key(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise _auth_error_for(error) from None
        return claims

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        return self._key


def mint_token(
    settings: Settings,
    secrets: ServiceSecrets,
    *,
    tenant_id: str,
    user_id: str,
    role: str = "admin",
    permissions: Sequence[str] = (),
    ttl_seconds: int = 3600,
    now: datetime | None = None,
    email: str | None = None,
) -> str:
    """An HS256 token for development and tests, accepted by this service's `TokenVerifier`."""
    if settings.jwt_public_key or settings.jwt_jwks_url or not secrets.jwt_secret:
        # With RS256 configured the verifier refuses HS256 tokens, and an RS256 one needs the
        # identity provider's private key, which this service rightly never holds.
        raise MintingUnavailable(
            "Cannot mint tokens: this service verifies RS256 tokens from the identity provider "
            "(SMARTER_EXPORT_JWT_PUBLIC_KEY or SMARTER_EXPORT_JWT_JWKS_URL is set) and does not "
            "hold its private key. Get a token from the identity provider, or unset those "
            f"settings and use {JWT_SECRET_VARIABLE} (HS256) in development."
        )
    issued = int((now or datetime.now(UTC)).timestamp())
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "tenantId": tenant_id,
        "role": role,
        "permissions": list(permissions),
        "iat": issued,
        "exp": issued + ttl_seconds,
        **({"email": email} if email else {}),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, secrets.jwt_secret, algorithm="HS256")


def _bearer_token(value: str | None) -> str:
    if not value or not value.strip():
        raise AuthError(
            "unauthenticated", "Sign in first: send the header `Authorization: Bearer <token>`."
        )
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError(
            "unauthenticated",
            "Only bearer tokens are accepted: send `Authorization: Bearer <token>`.",
        )
    if not token.strip():
        raise AuthError("unauthenticated", "The Authorization header has no token after Bearer.")
    return token.strip()


def _principal_from(claims: dict[str, Any]) -> Principal:
    tenant_id = claims.get("tenantId")
    if not isinstance(tenant_id, str) or not tenant_id:
        raise AuthError(
            "invalid_token", f"The token names no firm (tenantId claim). {SIGN_IN_AGAIN}"
        )
    user_id = claims["sub"]
    if not isinstance(user_id, str) or not user_id:
        raise AuthError("invalid_token", f"The token names no user (sub claim). {SIGN_IN_AGAIN}")
    role = claims.get("role", DEFAULT_ROLE)
    if not isinstance(role, str) or not role:
        raise AuthError("invalid_token", "The token's role claim must be a non-empty string.")
    permissions = claims.get("permissions", [])
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise AuthError("invalid_token", "The token's permissions claim must be a list of text.")
    return Principal(
        user_id=user_id,
        tenant_id=tenant_id,
        role=role,
        permissions=frozenset(permissions),
        issued_at=int(claims["iat"]),
        email=email if isinstance(email := claims.get("email"), str) and "@" in email else None,
    )


def _auth_error_for(error: jwt.PyJWTError) -> AuthError:
    # PyJWT's own messages name claims, never key material, but ours say what to do next.
    if isinstance(error, jwt.ExpiredSignatureError):
        return AuthError("token_expired", f"The token has expired. {SIGN_IN_AGAIN}")
    if isinstance(error, jwt.InvalidAudienceError):
        return AuthError(
            "invalid_token", f"The token is meant for another service (aud claim). {SIGN_IN_AGAIN}"
        )
    if isinstance(error, jwt.InvalidIssuerError):
        return AuthError(
            "invalid_token", f"The token comes from an unknown issuer (iss claim). {SIGN_IN_AGAIN}"
        )
    if isinstance(error, jwt.MissingRequiredClaimError):
        return AuthError(
            "invalid_token", f"The token lacks the {error.claim!r} claim. {SIGN_IN_AGAIN}"
        )
    if isinstance(error, jwt.InvalidSignatureError):
        return AuthError("invalid_token", f"The token's signature is not valid. {SIGN_IN_AGAIN}")
    if isinstance(error, jwt.PyJWKClientConnectionError):
        return AuthError(
            "invalid_token", "The keys that check tokens could not be fetched; try again shortly."
        )
    if isinstance(error, jwt.PyJWKClientError):
        return AuthError(
            "invalid_token", f"The token's signing key (kid) is not known. {SIGN_IN_AGAIN}"
        )
    if isinstance(error, jwt.DecodeError):
        return AuthError("unauthenticated", "The bearer token is not a well-formed JWT.")
    return AuthError("invalid_token", f"The token is not valid. {SIGN_IN_AGAIN}")


def _rsa_public_key(pem: str) -> RSAPublicKey:
    try:
        # An environment variable often carries the PEM's line breaks as literal `\n`.
        key = load_pem_public_key(pem.replace("\\n", "\n").strip().encode())
    except ValueError:
        raise InsecureConfiguration(
            "SMARTER_EXPORT_JWT_PUBLIC_KEY is not a PEM public key "
            "(it should start with -----BEGIN PUBLIC KEY-----)."
        ) from None
    if not isinstance(key, RSAPublicKey):
        raise InsecureConfiguration("SMARTER_EXPORT_JWT_PUBLIC_KEY must be an RSA key (RS256).")
    return key
