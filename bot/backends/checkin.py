"""The check-in interface: seat assignment (one passenger per seat, enforced by the database),
boarding passes, seat changes and cancelling a check-in."""
from __future__ import annotations

import abc
from datetime import datetime

from bot.backends.crm import FlightBooking


class SeatTaken(Exception):
    """Someone else holds the seat (possibly by a concurrent check-in that committed first)."""


class CheckInDesk(abc.ABC):
    @abc.abstractmethod
    def check_in(self, booking_id: int, seat_no: str, now: datetime) -> FlightBooking:
        """Assign the seat and check the passenger in; a seat change when already checked in. Raises SeatTaken."""

    @abc.abstractmethod
    def cancel_check_in(self, booking_id: int) -> bool: ...

    @abc.abstractmethod
    def booking(self, booking_id: int) -> FlightBooking: ...
