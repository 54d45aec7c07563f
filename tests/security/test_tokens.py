"""Tokens: none, garbled, unsigned, wrongly addressed, expired, or of the wrong algorithm: 401."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from smarter_export.auth.secrets import resolve_secrets
from tests.auth.support import claims, hmac_token, new_rsa_key, public_pem, unsigned_token
from tests.live import LiveFactory, LiveService
from tests.security.conftest import Tally


def answer_to(service: LiveService, token: str | None) -> httpx.Response:
    with service.client(token) as client:
        return client.get("/api/v1/export")


def test_missing_garbled_and_forged_tokens_are_401(
    shared_service: LiveService, hostile: Tally
) -> None:
    firm = shared_service.firm().id
    good = shared_service.token()
    assert answer_to(shared_service, good).status_code == 200
    forged: dict[str, str | None] = {
        "no token": None,
        "garbled token": "not.a.token",
        "alg none": unsigned_token(claims(tenantId=firm, role="admin")),
        "signed with another secret": hmac_token(claims(tenantId=firm), b"guessed-secret" * 3),
        "truncated signature": good[:-6],
        "payload swapped": _swap_payload(good, claims(tenantId=firm, role="admin")),
    }
    for attack, token in forged.items():
        answer = answer_to(shared_service, token)
        hostile.refused_with(answer, 401, attack=attack)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_audience_issuer_and_expired_tokens_are_401(
    shared_service: LiveService, hostile: Tally
) -> None:
    secret = resolve_secrets(shared_service.settings).jwt_secret
    assert secret
    firm = shared_service.firm().id
    now = int(time.time())
    cases: dict[str, dict[str, Any]] = {
        "wrong audience": claims(tenantId=firm, aud="another-service"),
        "wrong issuer": claims(tenantId=firm, iss="https://evil.example"),
        "expired": claims(tenantId=firm, iat=now - 7200, exp=now - 3600),
        "no expiry": claims(tenantId=firm, exp=None),
        "no tenant": claims(tenantId=None),
    }
    # The same claims with the right audience and issuer pass: the refusals are about the claim.
    assert answer_to(shared_service, hmac_token(claims(tenantId=firm), secret.encode())).is_success
    for attack, payload in cases.items():
        token = hmac_token(payload, secret.encode())
        error = hostile.refused_with(answer_to(shared_service, token), 401, attack=attack)
        assert error["code"] in {"invalid_token", "token_expired", "unauthenticated"}


def test_hs256_tokens_are_refused_when_rs256_is_configured(
    live: LiveFactory, hostile: Tally
) -> None:
    key = new_rsa_key()
    pem = public_pem(key)
    service = live("rs256", SMARTER_EXPORT_JWT_PUBLIC_KEY=pem)
    service.start_api(worker=False)
    firm = service.firm().id
    genuine = jwt.encode(claims(tenantId=firm), key, algorithm="RS256")
    assert answer_to(service, genuine).status_code == 200
    dev_secret = resolve_secrets(service.settings).jwt_secret or "x"
    attacks = {
        "HS256 keyed with the RS256 public key": hmac_token(claims(tenantId=firm), pem.encode()),
        "HS256 with the development secret": hmac_token(claims(tenantId=firm), dev_secret.encode()),
        "alg none under RS256": unsigned_token(claims(tenantId=firm)),
        "RS256 signed by another key": jwt.encode(
            claims(tenantId=firm), new_rsa_key(), algorithm="RS256"
        ),
    }
    for attack, token in attacks.items():
        hostile.refused_with(answer_to(service, token), 401, attack=attack)


def _swap_payload(token: str, payload: dict[str, Any]) -> str:
    """A genuine header and signature around a payload the attacker wrote."""
    header, _, signature = token.split(".")
    forged_payload = unsigned_token(payload).split(".")[1]
    return f"{header}.{forged_payload}.{signature}"
