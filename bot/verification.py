"""One-time verification codes for binding a WeChat follower to a mobile number, and the limits around them.

6 digits, valid 5 minutes, at most one new code a minute for the same follower and number.
Against SMS bombing: at most 3 codes an hour and 10 a day to one number, and 10 a day asked by one follower.
Against guessing: 3 wrong codes within an hour lock the follower out for 10 minutes, and 5 wrong codes for one
number within an hour, whoever typed them, lock that number for an hour; a new code resets neither count.
A number that is not a customer's goes through the same steps and limits but gets no SMS and a code nothing can
match, so no reply tells whether a number is a customer's.

Everything lives in the back-end database, so several bot instances share the limits. Each request first locks
the follower's and then the number's guard row (always in that order), so concurrent requests are counted one
after the other. Codes, numbers and followers are stored only as HMAC-SHA256 with the server secret
(bot.code_secret), so the tables reveal nothing without it.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Dict, List, Optional, Tuple

from sqlalchemy import Column, DateTime, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Session, declarative_base

from bot import clock
from bot.backends.sms import SmsGateway
from bot.code_secret import keyed_hash
from bot.backends.sql.database import engine_for, session_factory
from bot.logs import log_event
from bot.privacy import mask_mobile

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 3
COOL_OFF = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)
FOLLOWER, NUMBER = "follower", "number"


@dataclass(frozen=True)
class Quota:
    """At most `count` codes within `window` for one follower or one number (a sliding window)."""
    scope: str
    count: int
    window: timedelta


@dataclass(frozen=True)
class Limits:
    code_ttl: timedelta = CODE_TTL
    resend_interval: timedelta = RESEND_INTERVAL
    wrong_code_window: timedelta = timedelta(hours=1)
    follower_wrong_codes: int = MAX_ATTEMPTS
    follower_lockout: timedelta = COOL_OFF
    number_wrong_codes: int = 5
    number_lockout: timedelta = timedelta(hours=1)
    quotas: Tuple[Quota, ...] = (Quota(NUMBER, 3, timedelta(hours=1)), Quota(NUMBER, 10, timedelta(days=1)),
                                 Quota(FOLLOWER, 10, timedelta(days=1)))

    @property
    def history(self) -> timedelta:
        """How long events matter; older ones are deleted."""
        return max([self.wrong_code_window] + [quota.window for quota in self.quotas])


_Base = declarative_base()


class _Guard(_Base):
    """One row per follower and per number: locked for the length of a request, and its lockout."""
    __tablename__ = "binding_guards"
    key = Column(String(80), primary_key=True)
    locked_until = Column(DateTime)


class _Event(_Base):
    """A code sent (or pretended sent) to, or a wrong code typed by, a follower or for a number."""
    __tablename__ = "binding_events"
    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(80), nullable=False)
    kind = Column(String(8), nullable=False)
    at = Column(DateTime, nullable=False, index=True)
    __table_args__ = (Index("ix_binding_events_key_kind_at", "key", "kind", "at"),)


class _PendingCode(_Base):
    __tablename__ = "binding_codes"
    follower = Column(String(80), primary_key=True)
    number = Column(String(80), nullable=False)
    code_hash = Column(String(64), nullable=False)
    sent_at = Column(DateTime, nullable=False)


_SENT, _WRONG = "sent", "wrong"

# Outcomes of `request_code`.
SENT, WAIT, LIMITED = "sent", "wait", "limited"
# Outcomes of `check` (LOCKED: the follower is locked out; NUMBER_LOCKED: the number is, for everyone).
VERIFIED, WRONG, LOCKED, NUMBER_LOCKED, EXPIRED, NO_CODE = "verified", "wrong", "locked", "number_locked", "expired", "no_code"


@dataclass(frozen=True)
class SendResult:
    outcome: str
    until: Optional[datetime] = None   # WAIT, LIMITED, LOCKED, NUMBER_LOCKED: when to try again (China time)


@dataclass(frozen=True)
class CheckResult:
    outcome: str
    tries_left: int = 0
    locked_until: Optional[datetime] = None


def _active(until: Optional[datetime], now: datetime) -> bool:
    return until is not None and until > now


class VerificationService:
    def __init__(self, database_url: str, sms: SmsGateway, secret: bytes, now: Optional[Callable[[], datetime]] = None,
                 limits: Limits = Limits()) -> None:
        engine = engine_for(database_url)
        _Base.metadata.create_all(engine)
        self._dialect = engine.dialect.name
        self._sessions = session_factory(database_url)
        self._sms = sms
        self._secret = secret
        self._limits = limits
        self._now = now or (lambda: clock.now())  # China wall-clock: lockout times are shown to followers

    def _mac(self, *parts: str) -> str:
        return keyed_hash(self._secret, *parts)

    def _follower_key(self, openid: str) -> str:
        return "f:" + self._mac(FOLLOWER, openid)

    def _keys(self, openid: str, mobile: str) -> Tuple[str, str]:
        return self._follower_key(openid), "n:" + self._mac(NUMBER, mobile)

    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        """Delete the follower's pending code when they unfollow (with `before`, the unfollow time: only a code
        sent before it). The abuse counters stay until they expire (keyed hashes only): unfollowing must not
        reset a limit."""
        with self._sessions.begin() as session:
            pending = session.query(_PendingCode).filter(_PendingCode.follower == self._follower_key(openid))
            if before is not None:
                pending = pending.filter(_PendingCode.sent_at < before)
            return pending.delete()

    def _code_hash(self, follower: str, number: str, code: str) -> str:
        return self._mac("code", follower, number, code)

    def request_code(self, openid: str, mobile: str, sms_template: str, deliver: bool = True) -> SendResult:
        """Make a new code and text it with `sms_template` ({code}, {minutes}) unless a limit or lockout refuses.

        `deliver=False` (a number that is not a customer's) does everything but the SMS, with a code that can
        never match, so the answer and the limits are the same as for a customer's number.
        """
        if "{code}" not in sms_template:
            raise ValueError("the SMS template has no {code} placeholder")
        now = self._now()
        follower, number = self._keys(openid, mobile)
        code = f"{secrets.randbelow(10**6):06d}" if deliver else secrets.token_hex(16)
        with self._sessions.begin() as session:
            refused = self._refusal(session, now, follower, number)
            if refused is None:
                self._store_code(session, now, follower, number, code)
        if refused is not None:
            log_event(logger, "verification.refused", logging.WARNING, outcome=refused.outcome, openid=openid,
                      mobile=mask_mobile(mobile), until=f"{refused.until:%Y-%m-%d %H:%M}")
            return refused
        if deliver:
            minutes = int(self._limits.code_ttl.total_seconds() // 60)
            self._sms.send(mobile, sms_template.replace("{code}", code).replace("{minutes}", str(minutes)))
        log_event(logger, "verification.code_requested", openid=openid, mobile=mask_mobile(mobile), delivered=deliver)
        return SendResult(SENT)

    def check(self, openid: str, mobile: str, code: str) -> CheckResult:
        """Check `code` for this follower and number; every wrong code counts for both, whatever code was sent."""
        now = self._now()
        follower, number = self._keys(openid, mobile)
        with self._sessions.begin() as session:
            follower_guard, number_guard = self._guard(session, follower), self._guard(session, number)
            if _active(follower_guard.locked_until, now):
                return CheckResult(LOCKED, locked_until=follower_guard.locked_until)
            if _active(number_guard.locked_until, now):
                return CheckResult(NUMBER_LOCKED, locked_until=number_guard.locked_until)
            pending = session.get(_PendingCode, follower)
            if pending is None or pending.number != number:
                return CheckResult(NO_CODE)
            if now - pending.sent_at > self._limits.code_ttl:
                return CheckResult(EXPIRED)
            if hmac.compare_digest(pending.code_hash, self._code_hash(follower, number, code)):
                session.delete(pending)
                return CheckResult(VERIFIED)
            result = self._count_wrong_code(session, now, follower_guard, number_guard)
            if result.outcome != WRONG:
                session.delete(pending)   # a lockout discards the code
        if result.outcome != WRONG:
            log_event(logger, "verification.locked", logging.WARNING, outcome=result.outcome, openid=openid,
                      mobile=mask_mobile(mobile), until=f"{result.locked_until:%Y-%m-%d %H:%M}")
        return result

    def _guard(self, session: Session, key: str) -> _Guard:
        """The guard row of `key` (created on first use), locked until the transaction ends.

        The insert is the transaction's first statement: on SQLite it takes the database's write lock at once,
        on PostgreSQL the select below locks the row (FOR UPDATE).
        """
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self._dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise NotImplementedError(f"verification guards need SQLite or PostgreSQL, not {self._dialect}")
        session.execute(insert(_Guard).values(key=key).on_conflict_do_nothing(index_elements=["key"]))
        guard = session.get(_Guard, key, with_for_update=True)
        assert guard is not None
        return guard

    def _refusal(self, session: Session, now: datetime, follower: str, number: str) -> Optional[SendResult]:
        follower_guard, number_guard = self._guard(session, follower), self._guard(session, number)
        if _active(follower_guard.locked_until, now):
            return SendResult(LOCKED, follower_guard.locked_until)
        if _active(number_guard.locked_until, now):
            return SendResult(NUMBER_LOCKED, number_guard.locked_until)
        pending = session.get(_PendingCode, follower)
        if pending is not None and pending.number == number and now - pending.sent_at < self._limits.resend_interval:
            return SendResult(WAIT, pending.sent_at + self._limits.resend_interval)
        until = self._quota_reached(session, now, {FOLLOWER: follower, NUMBER: number})
        return SendResult(LIMITED, until) if until is not None else None

    def _quota_reached(self, session: Session, now: datetime, keys: Dict[str, str]) -> Optional[datetime]:
        """When the last of the quotas that are used up frees a code again; None when none is used up."""
        free_again: List[datetime] = []
        for quota in self._limits.quotas:
            sent = session.scalars(select(_Event.at).where(_Event.key == keys[quota.scope], _Event.kind == _SENT,
                                                           _Event.at > now - quota.window).order_by(_Event.at)).all()
            if len(sent) >= quota.count:
                free_again.append(sent[len(sent) - quota.count] + quota.window)
        return max(free_again) if free_again else None

    def _store_code(self, session: Session, now: datetime, follower: str, number: str, code: str) -> None:
        session.execute(delete(_Event).where(_Event.at < now - self._limits.history))
        pending = session.get(_PendingCode, follower)
        if pending is None:
            pending = _PendingCode(follower=follower)
            session.add(pending)
        pending.number, pending.code_hash, pending.sent_at = number, self._code_hash(follower, number, code), now
        session.add_all([_Event(key=follower, kind=_SENT, at=now), _Event(key=number, kind=_SENT, at=now)])

    def _wrong_codes(self, session: Session, now: datetime, guard: _Guard) -> int:
        """Wrong codes within the window, counted afresh after the key's last lockout ended."""
        since = max(now - self._limits.wrong_code_window, guard.locked_until or datetime.min)
        return session.scalar(select(func.count()).select_from(_Event).where(
            _Event.key == guard.key, _Event.kind == _WRONG, _Event.at >= since)) or 0

    def _count_wrong_code(self, session: Session, now: datetime, follower_guard: _Guard, number_guard: _Guard) -> CheckResult:
        session.add_all([_Event(key=follower_guard.key, kind=_WRONG, at=now), _Event(key=number_guard.key, kind=_WRONG, at=now)])
        session.flush()
        limits = self._limits
        follower_wrong = self._wrong_codes(session, now, follower_guard)
        number_wrong = self._wrong_codes(session, now, number_guard)
        locks: List[CheckResult] = []
        if follower_wrong >= limits.follower_wrong_codes:
            follower_guard.locked_until = now + limits.follower_lockout
            locks.append(CheckResult(LOCKED, locked_until=follower_guard.locked_until))
        if number_wrong >= limits.number_wrong_codes:
            number_guard.locked_until = now + limits.number_lockout
            locks.append(CheckResult(NUMBER_LOCKED, locked_until=number_guard.locked_until))
        if locks:
            return max(locks, key=lambda lock: lock.locked_until)  # type: ignore[arg-type,return-value]
        return CheckResult(WRONG, tries_left=min(limits.follower_wrong_codes - follower_wrong,
                                                 limits.number_wrong_codes - number_wrong))


def clear_binding_records(database_url: str) -> None:
    """Forget every pending code and abuse counter: a demo database reseeded for the next test conversation
    starts as a fresh deployment would."""
    engine = engine_for(database_url)
    _Base.metadata.create_all(engine)
    with engine.begin() as connection:
        for table in reversed(_Base.metadata.sorted_tables):
            connection.execute(table.delete())
