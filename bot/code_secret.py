"""The server secret that keys the hashes of verification codes and numbers (HMAC-SHA256).

An unkeyed hash of a 6-digit code is reversed offline by trying all million codes; with a secret the stored hash
is useless without it. Production takes the secret from `BOT_CODE_SECRET` and refuses to start without one;
a development run makes a random one once and keeps it in var/code-secret (git-ignored, readable by the owner
only), so every process of the run shares it.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path
from typing import Optional

from bot.settings import PROJECT_ROOT

SECRET_ENV = "BOT_CODE_SECRET"
MIN_LENGTH = 16
DEVELOPMENT_SECRET_FILE = PROJECT_ROOT / "var" / "code-secret"


class MissingCodeSecretError(RuntimeError):
    """Production needs a configured secret: a generated one would differ between instances and restarts."""


def _production() -> bool:
    return os.environ.get("BOT_ENV", "development") == "production"


def refuse_production_without_secret() -> None:
    """Raise at start-up when `BOT_ENV=production` and `BOT_CODE_SECRET` is missing or too short."""
    if _production() and len(os.environ.get(SECRET_ENV) or "") < MIN_LENGTH:
        raise MissingCodeSecretError(f"{SECRET_ENV} must be set (at least {MIN_LENGTH} characters) when BOT_ENV=production")


def load_code_secret(development_file: Optional[Path] = None) -> bytes:
    """`BOT_CODE_SECRET`; outside production, the development secret file (created on first use)."""
    refuse_production_without_secret()
    configured = os.environ.get(SECRET_ENV)
    if configured:
        if len(configured) < MIN_LENGTH:
            raise MissingCodeSecretError(f"{SECRET_ENV} must be at least {MIN_LENGTH} characters")
        return configured.encode()
    return _development_secret(development_file or DEVELOPMENT_SECRET_FILE)


def _development_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".code-secret-")   # created with mode 0600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as draft_file:
                draft_file.write(secrets.token_hex(32))
            os.link(draft, path)   # atomic and never overwrites: two processes starting together keep one secret
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text(encoding="ascii").strip().encode()


def keyed_hash(secret: bytes, *parts: str) -> str:
    """HMAC-SHA256 of `parts`: how stored keys stand for codes, numbers, ID cards and followers."""
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
