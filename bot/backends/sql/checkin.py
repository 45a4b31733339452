"""SQL stub of the check-in desk. The unique (flight_id, seat_no) constraint on bookings decides races:
of two followers committing the same seat at the same moment, exactly one succeeds.

Identification attempts are rows of `identification_attempts`, one per follower and one per identifier, changed
only by conditional UPDATEs inside one transaction: the database serialises concurrent attempts on a row (SQLite's
write lock, PostgreSQL's row lock with the condition re-checked), so a limit holds however many followers try at once.
"""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import and_, case, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backends.checkin import AttemptLimits, CheckInDesk, SeatTaken
from bot.backends.crm import FlightBooking
from bot.backends.sql import models as m
from bot.backends.sql.crm import _booking
from bot.backends.sql.database import session_factory
from bot.code_secret import keyed_hash, load_code_secret

_Attempts = m.IdentificationAttemptRow
_INSERT_RACES = 3   # a first attempt inserts the row; a concurrent first insert makes the whole step run again


class _Refused(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def _subjects(secret: bytes, follower: str, identifier: str, limits: AttemptLimits) -> List[Tuple[str, str, int]]:
    """(kind, key, limit) of the follower and of the identifier, always in this order (no deadlock between
    transactions); keys are keyed hashes (the server secret, as for verification codes), so the table keeps no
    copy of ID-card or e-ticket numbers that their small number space would let anyone reverse."""
    def key(kind: str, value: str) -> str:
        return keyed_hash(secret, kind, value)

    return [("follower", key("follower", follower), limits.per_follower),
            ("identifier", key("identifier", identifier.strip().upper()), limits.per_identifier)]


class SqlCheckInDesk(CheckInDesk):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)
        self._secret = load_code_secret()

    def check_in(self, booking_id: int, seat_no: str, now: datetime) -> FlightBooking:
        try:
            with self._sessions.begin() as session:
                row = session.get(m.BookingRow, booking_id)
                seat = session.get(m.SeatRow, (row.flight_id, seat_no))
                if seat is None or seat.blocked:
                    raise SeatTaken(seat_no)
                row.seat_no = seat_no
                row.checked_in_at = row.checked_in_at or now
        except IntegrityError:
            raise SeatTaken(seat_no) from None
        return self.booking(booking_id)

    def cancel_check_in(self, booking_id: int) -> bool:
        with self._sessions.begin() as session:
            row = session.get(m.BookingRow, booking_id)
            if row is None or row.checked_in_at is None:
                return False
            row.seat_no, row.checked_in_at = None, None
            return True

    def booking(self, booking_id: int) -> FlightBooking:
        with self._sessions() as session:
            row = session.execute(select(m.BookingRow).where(m.BookingRow.id == booking_id)).scalar_one()
            return _booking(row)

    # -- identification attempts ----------------------------------------------------------------------
    def identification_locked_until(self, follower: str, identifier: str, limits: AttemptLimits,
                                    now: datetime) -> Optional[datetime]:
        with self._sessions() as session:
            return _lock_end(session, _subjects(self._secret, follower, identifier, limits), now)

    def begin_identification(self, follower: str, identifier: str, limits: AttemptLimits,
                             now: datetime) -> Optional[datetime]:
        for _ in range(_INSERT_RACES):
            try:
                with self._sessions.begin() as session:
                    for kind, key, limit in _subjects(self._secret, follower, identifier, limits):
                        if not _claim(session, kind, key, limit, limits, now):
                            raise _Refused(_refused_until(session, kind, key, limits, now))
                return None
            except _Refused as refused:   # the transaction rolled back: neither attempt is counted
                return refused.until
            except IntegrityError:
                continue
        raise RuntimeError("identification attempt not recorded: concurrent first attempts kept colliding")

    def end_identification(self, follower: str, identifier: str, succeeded: bool, limits: AttemptLimits,
                           now: datetime) -> Optional[datetime]:
        subjects = _subjects(self._secret, follower, identifier, limits)
        with self._sessions.begin() as session:
            for kind, key, limit in subjects:
                mine = and_(_Attempts.kind == kind, _Attempts.key == key)
                if succeeded:
                    change = update(_Attempts).where(mine, _Attempts.attempts > 0).values(attempts=_Attempts.attempts - 1)
                else:
                    change = update(_Attempts).where(mine, _Attempts.attempts >= limit, _not_locked(now)).values(
                        locked_until=now + limits.lock)
                session.execute(change.execution_options(synchronize_session=False))
            return None if succeeded else _lock_end(session, subjects, now)


def _not_locked(now: datetime):  # type: ignore[no-untyped-def]
    return or_(_Attempts.locked_until.is_(None), _Attempts.locked_until <= now)


def _claim(session: Session, kind: str, key: str, limit: int, limits: AttemptLimits, now: datetime) -> bool:
    """Count one attempt unless locked or at the limit; a window past its time (or a lock that ended) starts anew."""
    fresh = or_(_Attempts.window_started <= now - limits.window,
                and_(_Attempts.locked_until.isnot(None), _Attempts.locked_until <= now))
    claimed = session.execute(
        update(_Attempts)
        .where(_Attempts.kind == kind, _Attempts.key == key, _not_locked(now), or_(fresh, _Attempts.attempts < limit))
        .values(attempts=case((fresh, 1), else_=_Attempts.attempts + 1),
                window_started=case((fresh, now), else_=_Attempts.window_started),
                locked_until=case((fresh, null()), else_=_Attempts.locked_until))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        return True
    if session.get(_Attempts, (kind, key)) is not None:
        return False
    session.add(_Attempts(kind=kind, key=key, window_started=now, attempts=1, locked_until=None))
    session.flush()   # a concurrent first attempt inserted it too: IntegrityError, the caller runs the step again
    return True


def _refused_until(session: Session, kind: str, key: str, limits: AttemptLimits, now: datetime) -> datetime:
    row = session.get(_Attempts, (kind, key))
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return row.window_started + limits.window   # the limit's attempts are under way: refused until the window ends


def _lock_end(session: Session, subjects: List[Tuple[str, str, int]], now: datetime) -> Optional[datetime]:
    ends = [row.locked_until for kind, key, _ in subjects
            if (row := session.get(_Attempts, (kind, key))) is not None and row.locked_until is not None and row.locked_until > now]
    return max(ends, default=None)
