"""The service's secrets: checked hard in production, made up once in development.

Production refuses to start on a missing, short or placeholder secret rather than run with a
key someone can guess. Development needs no configuration at all: missing secrets are
generated once and kept in `data_dir/dev-secrets.json`, so `smarter-export token` and
`smarter-export serve` in other processes sign and verify with the same keys.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from smarter_export.settings import Settings

DEV_SECRETS_FILE = "dev-secrets.json"
MIN_SECRET_LENGTH = 32
PLACEHOLDER_WORDS = ("change", "secret", "placeholder", "example", "dev", "test", "password")
JWT_SECRET_VARIABLE = "SMARTER_EXPORT_JWT_SECRET"  # noqa: S105 (a setting name, not a key)
SIGNING_SECRETS_VARIABLE = "SMARTER_EXPORT_SIGNING_SECRETS"
HOW_TO_GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class InsecureConfiguration(ValueError):
    """The settings would run the service with secrets an attacker could guess or lacks."""


class MintingUnavailable(ValueError):
    """This service cannot mint tokens its own verifier would accept (RS256 is configured).

    Here, beside the secrets it is about, so that the CLI can name it without importing the JWT
    and cryptography libraries (about 20 MB) for an export."""


@dataclass(frozen=True)
class ServiceSecrets:
    """The secrets in force: the HS256 token key (None when tokens are RS256) and link keys."""

    jwt_secret: str | None
    signing_secrets: tuple[str, ...]

    def __repr__(self) -> str:
        # A dataclass repr would print the keys into any log line or traceback that shows us.
        return (
            f"ServiceSecrets(jwt_secret={'***' if self.jwt_secret else None}, "
            f"signing_secrets=<{len(self.signing_secrets)} secret(s)>)"
        )


def resolve_secrets(settings: Settings) -> ServiceSecrets:
    """The secrets to run with; raises `InsecureConfiguration` if production is unsafe."""
    jwt_secret = _configured(settings.jwt_secret)
    signing = tuple(s for s in (_configured(v) for v in settings.signing_secrets) if s)
    if not settings.is_development:
        _check_production(settings, jwt_secret, signing)
        return ServiceSecrets(jwt_secret, signing)
    # RS256 tokens need no shared secret; only generate one when nothing else verifies tokens.
    needs_jwt_secret = jwt_secret is None and not _uses_rs256(settings)
    if needs_jwt_secret or not signing:
        stored = _load_or_create_dev_secrets(settings.data_dir / DEV_SECRETS_FILE)
        if needs_jwt_secret:
            jwt_secret = stored["jwt_secret"]
        if not signing:
            signing = (stored["signing_secret"],)
    return ServiceSecrets(jwt_secret, signing)


def is_placeholder(value: str) -> bool:
    """A value that reads like a sample or default rather than a random key.

    A word counts where it stands as a word (`change-me`, `my_dev_secret`, `ChangeMe`) or
    opens the value, so a random key that merely contains the letters "dev" is not refused.
    """
    words = {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", value)}
    opens = value.lower().startswith(PLACEHOLDER_WORDS)
    return opens or bool(words & set(PLACEHOLDER_WORDS)) or len(set(value)) <= 3


def _configured(value: SecretStr | None) -> str | None:
    # An empty environment variable means "not set", not "the empty key".
    if value is None:
        return None
    return value.get_secret_value() or None


def _uses_rs256(settings: Settings) -> bool:
    return bool(settings.jwt_public_key or settings.jwt_jwks_url)


def _check_production(settings: Settings, jwt_secret: str | None, signing: tuple[str, ...]) -> None:
    if jwt_secret is not None:
        _check_strength(jwt_secret, JWT_SECRET_VARIABLE, "the JWT secret")
    for position, secret in enumerate(signing, start=1):
        _check_strength(secret, SIGNING_SECRETS_VARIABLE, f"signing secret #{position}")
    if not signing:
        raise InsecureConfiguration(
            f"No download-link signing secret is configured: set {SIGNING_SECRETS_VARIABLE} "
            f'to a JSON list such as ["<random key>"] (generate one with {HOW_TO_GENERATE}), '
            "or set SMARTER_EXPORT_ENVIRONMENT=development on a developer machine."
        )
    if jwt_secret is None and not _uses_rs256(settings):
        raise InsecureConfiguration(
            "No way to verify tokens is configured: set SMARTER_EXPORT_JWT_PUBLIC_KEY (the "
            "identity provider's RS256 public key, PEM) or SMARTER_EXPORT_JWT_JWKS_URL, or "
            f"{JWT_SECRET_VARIABLE} for HS256 tokens."
        )


def _check_strength(value: str, variable: str, what: str) -> None:
    # The message names the setting and the fix but never echoes the value itself.
    if len(value) < MIN_SECRET_LENGTH:
        raise InsecureConfiguration(
            f"{variable}: {what} has {len(value)} characters; production needs at least "
            f"{MIN_SECRET_LENGTH}. Generate one with {HOW_TO_GENERATE}."
        )
    if is_placeholder(value):
        raise InsecureConfiguration(
            f"{variable}: {what} looks like a placeholder (a sample word or one repeated "
            f"character). Replace it with a random key: {HOW_TO_GENERATE}."
        )


def _load_or_create_dev_secrets(path: Path) -> dict[str, str]:
    stored = _read_dev_secrets(path)
    if stored is not None:
        return stored
    fresh = {
        "jwt_secret": secrets.token_urlsafe(48),
        "signing_secret": secrets.token_urlsafe(48),
    }
    if _create_exclusively(path, fresh):
        return fresh
    # Another process created the file between our read and our write: its keys win, so that
    # every process of this data folder ends up with the same ones.
    stored = _read_dev_secrets(path)
    assert stored is not None
    return stored


def _read_dev_secrets(path: Path) -> dict[str, str] | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        loaded = json.loads(raw)
    except json.JSONDecodeError:
        loaded = None
    keys = ("jwt_secret", "signing_secret")
    if not isinstance(loaded, dict) or not all(
        isinstance(loaded.get(key), str) and loaded[key] for key in keys
    ):
        raise InsecureConfiguration(
            f"{path} is not a valid development secrets file. Delete it and a new one is made "
            "on the next start (tokens and download links issued with the old one stop working)."
        )
    return {key: loaded[key] for key in keys}


def _create_exclusively(path: Path, content: dict[str, str]) -> bool:
    """Write `content` to `path` only if no file is there; False if another process won.

    The JSON goes to a private temporary file first and is then hard-linked into place: a link
    never replaces an existing file, and a reader never sees a half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 whatever the umask.
    descriptor, temporary = tempfile.mkstemp(prefix=".dev-secrets-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(content, handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)
