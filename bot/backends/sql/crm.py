"""SQL stub of the CRM interface over the demo tables."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Sequence

from sqlalchemy import delete, select

from bot import clock
from bot.backends.crm import (
    AccountManager,
    BroadbandLine,
    CrmBackend,
    Customer,
    FaultTicket,
    Flight,
    FlightBooking,
    Seat,
    ServiceHall,
    Technician,
)
from bot.backends.sql import models as m
from bot.backends.sql.database import session_factory

OPEN_TICKET_STATUSES = ("受理", "已派单", "师傅已出发", "处理中")


def _customer(row: m.CustomerRow) -> Customer:
    return Customer(row.id, row.name, row.mobile, row.id_card, row.vip_level, row.manager_id)


def _line(row: m.BroadbandLineRow) -> BroadbandLine:
    return BroadbandLine(row.id, row.account, row.customer_id, row.address, row.district, row.bandwidth_mbps, row.diagnosis)


def _ticket(row: m.FaultTicketRow) -> FaultTicket:
    return FaultTicket(row.ticket_no, row.line_id, row.symptom, row.status, row.technician_id, row.created_at, row.expected_arrival)


def _flight(row: m.FlightRow) -> Flight:
    return Flight(row.id, row.flight_no, row.origin, row.destination, row.departure, row.gate)


def _booking(row: m.BookingRow) -> FlightBooking:
    return FlightBooking(
        row.id, row.ticket_number, row.passenger_name, row.id_card, row.customer_id,
        _flight(row.flight), row.seat_no, row.checked_in_at,
    )


class SqlCrm(CrmBackend):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    # -- customers and bindings --------------------------------------------------------------------
    def customer_by_mobile(self, mobile: str) -> Optional[Customer]:
        with self._sessions() as session:
            row = session.execute(select(m.CustomerRow).where(m.CustomerRow.mobile == mobile)).scalar_one_or_none()
            return _customer(row) if row else None

    def customer_by_id(self, customer_id: int) -> Optional[Customer]:
        with self._sessions() as session:
            row = session.get(m.CustomerRow, customer_id)
            return _customer(row) if row else None

    def customer_for_openid(self, openid: str) -> Optional[Customer]:
        with self._sessions() as session:
            row = session.execute(
                select(m.CustomerRow)
                .join(m.WeChatBindingRow, m.WeChatBindingRow.customer_id == m.CustomerRow.id)
                .where(m.WeChatBindingRow.openid == openid)
            ).scalar_one_or_none()
            return _customer(row) if row else None

    def bind_openid(self, openid: str, customer_id: int) -> None:
        with self._sessions.begin() as session:
            binding = session.get(m.WeChatBindingRow, openid)
            if binding is None:
                session.add(m.WeChatBindingRow(openid=openid, customer_id=customer_id, bound_at=clock.now()))
            else:
                binding.customer_id = customer_id
                binding.bound_at = clock.now()

    def unbind_openid(self, openid: str) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(delete(m.WeChatBindingRow).where(m.WeChatBindingRow.openid == openid))
            return result.rowcount > 0

    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        binding = m.WeChatBindingRow.openid == openid
        callback = m.CallbackRequestRow.openid == openid
        if before is not None:   # a binding made (or renewed) after re-subscribing is the new follower's
            binding = binding & (m.WeChatBindingRow.bound_at < before)
            callback = callback & (m.CallbackRequestRow.created_at < before)
        with self._sessions.begin() as session:
            bindings = session.execute(delete(m.WeChatBindingRow).where(binding))
            callbacks = session.execute(delete(m.CallbackRequestRow).where(callback))
            return bindings.rowcount + callbacks.rowcount

    def followers_of(self, customer_id: int) -> List[str]:
        with self._sessions() as session:
            return list(session.execute(
                select(m.WeChatBindingRow.openid).where(m.WeChatBindingRow.customer_id == customer_id)
                .order_by(m.WeChatBindingRow.bound_at.desc(), m.WeChatBindingRow.openid)
            ).scalars())

    def account_manager(self, manager_id: int) -> Optional[AccountManager]:
        with self._sessions() as session:
            row = session.get(m.AccountManagerRow, manager_id)
            return AccountManager(row.id, row.name, row.phone, row.greeting, row.photo_url) if row else None

    def request_callback(self, openid: str, mobile: str) -> int:
        with self._sessions.begin() as session:
            row = m.CallbackRequestRow(openid=openid, mobile=mobile, created_at=clock.now(), status="pending")
            session.add(row)
            session.flush()
            return row.id

    # -- broadband ---------------------------------------------------------------------------------
    def broadband_lines(self, customer_id: int) -> List[BroadbandLine]:
        with self._sessions() as session:
            rows = session.execute(
                select(m.BroadbandLineRow).where(m.BroadbandLineRow.customer_id == customer_id).order_by(m.BroadbandLineRow.id)
            ).scalars()
            return [_line(row) for row in rows]

    def broadband_line(self, line_id: int) -> Optional[BroadbandLine]:
        with self._sessions() as session:
            row = session.get(m.BroadbandLineRow, line_id)
            return _line(row) if row else None

    def broadband_line_by_account(self, account: str) -> Optional[BroadbandLine]:
        with self._sessions() as session:
            row = session.execute(select(m.BroadbandLineRow).where(m.BroadbandLineRow.account == account)).scalar_one_or_none()
            return _line(row) if row else None

    def tickets_for_customer(self, customer_id: int, open_only: bool = False) -> List[FaultTicket]:
        query = (
            select(m.FaultTicketRow)
            .join(m.BroadbandLineRow, m.BroadbandLineRow.id == m.FaultTicketRow.line_id)
            .where(m.BroadbandLineRow.customer_id == customer_id)
            .order_by(m.FaultTicketRow.created_at.desc())
        )
        if open_only:
            query = query.where(m.FaultTicketRow.status.in_(OPEN_TICKET_STATUSES))
        with self._sessions() as session:
            return [_ticket(row) for row in session.execute(query).scalars()]

    def ticket_by_number(self, ticket_no: str) -> Optional[FaultTicket]:
        with self._sessions() as session:
            row = session.execute(select(m.FaultTicketRow).where(m.FaultTicketRow.ticket_no == ticket_no)).scalar_one_or_none()
            return _ticket(row) if row else None

    def technician(self, technician_id: int) -> Optional[Technician]:
        with self._sessions() as session:
            row = session.get(m.TechnicianRow, technician_id)
            return Technician(row.id, row.name, row.phone, row.district) if row else None

    # -- service halls -----------------------------------------------------------------------------
    def service_halls(self, district: Optional[str] = None) -> List[ServiceHall]:
        query = select(m.ServiceHallRow).order_by(m.ServiceHallRow.id)
        if district:
            query = query.where(m.ServiceHallRow.district == district)
        with self._sessions() as session:
            return [
                ServiceHall(r.id, r.name, r.district, r.address, r.latitude, r.longitude, r.opening_hours, r.queue_length)
                for r in session.execute(query).scalars()
            ]

    # -- flights -----------------------------------------------------------------------------------
    def bookings_by_id_card(self, id_card: str) -> List[FlightBooking]:
        return self._bookings(m.BookingRow.id_card == id_card.upper())

    def booking_by_ticket_number(self, ticket_number: str) -> Optional[FlightBooking]:
        found = self._bookings(m.BookingRow.ticket_number == ticket_number)
        return found[0] if found else None

    def bookings_for_customer(self, customer_id: int) -> List[FlightBooking]:
        return self._bookings(m.BookingRow.customer_id == customer_id)

    def _bookings(self, condition) -> List[FlightBooking]:  # type: ignore[no-untyped-def]
        with self._sessions() as session:
            rows = session.execute(
                select(m.BookingRow).join(m.FlightRow).where(condition).order_by(m.FlightRow.departure)
            ).scalars()
            return [_booking(row) for row in rows]

    def seat_map(self, flight_id: int) -> Sequence[Seat]:
        with self._sessions() as session:
            taken = set(
                session.execute(
                    select(m.BookingRow.seat_no).where(m.BookingRow.flight_id == flight_id, m.BookingRow.seat_no.is_not(None))
                ).scalars()
            )
            rows = session.execute(
                select(m.SeatRow).where(m.SeatRow.flight_id == flight_id).order_by(m.SeatRow.row, m.SeatRow.letter)
            ).scalars()
            return [
                Seat(r.seat_no, r.row, r.letter, r.is_window, r.is_aisle, r.is_exit_row, not r.blocked and r.seat_no not in taken)
                for r in rows
            ]
