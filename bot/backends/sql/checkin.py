"""SQL stub of the check-in desk. The unique (flight_id, seat_no) constraint on bookings decides races:
of two followers committing the same seat at the same moment, exactly one succeeds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.backends.checkin import CheckInDesk, SeatTaken
from bot.backends.crm import FlightBooking
from bot.backends.sql import models as m
from bot.backends.sql.crm import _booking
from bot.backends.sql.database import session_factory


class SqlCheckInDesk(CheckInDesk):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

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
