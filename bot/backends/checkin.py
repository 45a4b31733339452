"""The check-in interface: seat assignment (one passenger per seat, enforced by the database),
boarding passes, seat changes and cancelling a check-in; and the count of identification attempts
(an ID-card or e-ticket number with a passenger's name), so nobody finds passengers by guessing."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from bot.backends.crm import FlightBooking


class SeatTaken(Exception):
    """Someone else holds the seat (possibly by a concurrent check-in that committed first)."""


@dataclass(frozen=True)
class AttemptLimits:
    """Failed identifications a follower, and one ID-card / e-ticket number, may have within `window`;
    the failure that reaches a limit locks further identification (of that follower / that number) for `lock`."""

    per_follower: int
    per_identifier: int
    window: timedelta
    lock: timedelta


class CheckInDesk(abc.ABC):
    @abc.abstractmethod
    def check_in(self, booking_id: int, seat_no: str, now: datetime) -> FlightBooking:
        """Assign the seat and check the passenger in; a seat change when already checked in. Raises SeatTaken."""

    @abc.abstractmethod
    def cancel_check_in(self, booking_id: int) -> bool: ...

    @abc.abstractmethod
    def booking(self, booking_id: int) -> FlightBooking: ...

    @abc.abstractmethod
    def identification_locked_until(self, follower: str, identifier: str, limits: AttemptLimits,
                                    now: datetime) -> Optional[datetime]:
        """When the lock on the follower or on the identifier ends; None when both may try."""

    @abc.abstractmethod
    def begin_identification(self, follower: str, identifier: str, limits: AttemptLimits,
                             now: datetime) -> Optional[datetime]:
        """Count one attempt against the follower and against the identifier, both or neither, in one atomic step.

        None: the attempt may go ahead (look the passenger up, then call `end_identification`). Otherwise the
        follower or the identifier is locked or has its limit of attempts under way, and this is when that ends.
        Concurrent attempts (any number of followers at once) never get past a limit.
        """

    @abc.abstractmethod
    def end_identification(self, follower: str, identifier: str, succeeded: bool, limits: AttemptLimits,
                           now: datetime) -> Optional[datetime]:
        """A successful attempt is given back (only failures count); a failed one stays counted and, if it
        reaches a limit, locks for `limits.lock`. Returns when the follower's or the identifier's lock ends, or None."""
