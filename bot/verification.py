"""One-time verification codes for binding a WeChat follower to a mobile number.

6 digits, valid 5 minutes, 3 wrong tries lock the follower out for 10 minutes, at most one new code per minute.
Only a hash of the code is stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

from bot import clock
from bot.backends.sms import SmsGateway
from bot.backends.sql.database import engine_for, session_factory

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 3
COOL_OFF = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)

_Base = declarative_base()


class _PendingCode(_Base):
    __tablename__ = "verification_codes"
    openid = Column(String(64), primary_key=True)
    mobile = Column(String(11), nullable=False)
    code_hash = Column(String(64), nullable=False)
    sent_at = Column(DateTime, nullable=False)
    failed_attempts = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)


# Outcomes of `check`.
VERIFIED, WRONG, LOCKED, EXPIRED, NO_CODE = "verified", "wrong", "locked", "expired", "no_code"


@dataclass(frozen=True)
class CheckResult:
    outcome: str
    tries_left: int = 0
    locked_until: Optional[datetime] = None
    mobile: Optional[str] = None


def _hash(openid: str, code: str) -> str:
    return hashlib.sha256(f"{openid}:{code}".encode()).hexdigest()


class VerificationService:
    def __init__(self, database_url: str, sms: SmsGateway, now: Optional[Callable[[], datetime]] = None) -> None:
        _Base.metadata.create_all(engine_for(database_url))
        self._sessions = session_factory(database_url)
        self._sms = sms
        self._now = now or (lambda: clock.now())  # China wall-clock: lockout times are shown to followers

    def locked_until(self, openid: str) -> Optional[datetime]:
        with self._sessions() as session:
            row = session.get(_PendingCode, openid)
            if row and row.locked_until and row.locked_until > self._now():
                return row.locked_until
            return None

    def forget_follower(self, openid: str) -> int:
        """Delete the follower's pending code (it names their number) when they unfollow."""
        with self._sessions.begin() as session:
            return session.query(_PendingCode).filter(_PendingCode.openid == openid).delete()

    def send_code(self, openid: str, mobile: str) -> Optional[datetime]:
        """Send a new code; returns None, or the time before which no new code may be sent (locked/too soon)."""
        now = self._now()
        with self._sessions.begin() as session:
            row = session.get(_PendingCode, openid)
            if row and row.locked_until and row.locked_until > now:
                return row.locked_until
            if row and row.mobile == mobile and now - row.sent_at < RESEND_INTERVAL:
                return row.sent_at + RESEND_INTERVAL
            code = f"{secrets.randbelow(10**6):06d}"
            if row is None:
                row = _PendingCode(openid=openid)
                session.add(row)
            row.mobile, row.code_hash, row.sent_at, row.failed_attempts, row.locked_until = mobile, _hash(openid, code), now, 0, None
        self._sms.send(mobile, f"【智能客服】您的微信绑定验证码为 {code}，5分钟内有效。如非本人操作请忽略。")
        return None

    def check(self, openid: str, code: str) -> CheckResult:
        now = self._now()
        with self._sessions.begin() as session:
            row = session.get(_PendingCode, openid)
            if row is None:
                return CheckResult(NO_CODE)
            if row.locked_until and row.locked_until > now:
                return CheckResult(LOCKED, locked_until=row.locked_until)
            if now - row.sent_at > CODE_TTL:
                return CheckResult(EXPIRED)
            if hmac.compare_digest(row.code_hash, _hash(openid, code.strip())):
                session.delete(row)
                return CheckResult(VERIFIED, mobile=row.mobile)
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_ATTEMPTS:
                row.locked_until = now + COOL_OFF
                return CheckResult(LOCKED, locked_until=row.locked_until)
            return CheckResult(WRONG, tries_left=MAX_ATTEMPTS - row.failed_attempts)
