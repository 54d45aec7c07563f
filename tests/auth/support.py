"""Helpers for the auth tests: settings, RSA keys, and tokens built by hand.

Tokens are crafted byte by byte where PyJWT would refuse to make them (alg none, an HMAC keyed
with a PEM), because those are exactly the forgeries the verifier must turn away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from smarter_export.settings import Settings

STRONG_JWT_SECRET = "kQ7vW2nZ9xR4bL1mYp8sH3fJ6uE0aC5gT9wN2qV7zX4k"
STRONG_SIGNING_SECRET = "Zr8Lq2Wn5Vb9Xm3Kc7Hy1Pj4Gf6Ds0Ta8Ue2Io5Yw7Qn"
ISSUER = "smarter-firms-auth"
AUDIENCE = "smarter-firms-data-service"


def make_settings(
    data_dir: Path,
    *,
    environment: Literal["development", "production"] = "development",
    jwt_secret: str | None = None,
    signing_secrets: tuple[str, ...] = (),
    **fields: Any,
) -> Settings:
    return Settings(
        data_dir=data_dir,
        environment=environment,
        jwt_secret=SecretStr(jwt_secret) if jwt_secret is not None else None,
        signing_secrets=[SecretStr(s) for s in signing_secrets],
        **fields,
    )


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def claims(**overrides: Any) -> dict[str, Any]:
    """A complete, valid claim set; pass a value of None to drop a claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "tenantId": "firm-1",
        "role": "user",
        "permissions": ["export:invoices"],
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unsigned_token(payload: dict[str, Any]) -> str:
    """An `alg: none` token: header, payload and an empty signature."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(payload)}."


def hmac_token(payload: dict[str, Any], key: bytes) -> str:
    """An HS256 token signed with any bytes as the key, including a PEM public key."""
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT'})}.{_segment(payload)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def bearer(token: str) -> str:
    return f"Bearer {token}"
