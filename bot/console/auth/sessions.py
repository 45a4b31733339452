"""Server-side sessions: the cookie holds a random token; the database keeps only its SHA-256, the operator, the
session's CSRF token and its expiry. Logging out or expiry deletes the row."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, insert, select

from bot.console import tables as t

SESSION_SECONDS = 8 * 3600
COOKIE = "console_session"


@dataclass(frozen=True)
class Session:
    operator: str
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, console_url: str, lifetime: float = SESSION_SECONDS) -> None:
        self.engine = t.console_engine(console_url)
        self.lifetime = lifetime

    def open(self, operator: str) -> str:
        """A new session for `operator`; returns the cookie's token (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(delete(t.sessions).where(t.sessions.c.expires_at < time.time()))
            conn.execute(insert(t.sessions).values(token_hash=_digest(token), operator=operator,
                                                   csrf_token=secrets.token_urlsafe(32), expires_at=time.time() + self.lifetime))
        return token

    def get(self, token: Optional[str]) -> Optional[Session]:
        if not token:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(t.sessions.c.operator, t.sessions.c.csrf_token, t.sessions.c.expires_at)
                               .where(t.sessions.c.token_hash == _digest(token))).first()
        if row is None or row.expires_at < time.time():
            return None
        return Session(row.operator, row.csrf_token)

    def close(self, token: Optional[str]) -> None:
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(t.sessions).where(t.sessions.c.token_hash == _digest(token)))


def csrf_ok(session: Session, submitted: Optional[str]) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf_token, submitted or "")
