"""The CRM interface: who a follower is, what services they have, and the people who serve them.

Actions depend on this interface only; `bot.backends.sql.crm.SqlCrm` is the demo stub behind it and a
real CRM adapter replaces it through `backends.crm` in endpoints.yml.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Sequence

# A ticket's status is the CRM's own word for it, shown to the follower as is; this one means repaired.
DONE_STATUS = "已完成"


@dataclass(frozen=True)
class AccountManager:
    manager_id: int
    name: str
    phone: str
    greeting: str
    photo_url: str


@dataclass(frozen=True)
class Customer:
    customer_id: int
    name: str
    mobile: str
    id_card: str
    vip_level: int  # 0 = ordinary customer; 1–3 = VIP tiers with an account manager
    manager_id: Optional[int]

    @property
    def is_vip(self) -> bool:
        return self.vip_level > 0


@dataclass(frozen=True)
class BroadbandLine:
    line_id: int
    account: str
    customer_id: int
    address: str
    district: str
    bandwidth_mbps: int
    diagnosis: str  # deterministic stub result, see LineDiagnosis in the fault-report flow


@dataclass(frozen=True)
class Technician:
    technician_id: int
    name: str
    phone: str
    district: str


@dataclass(frozen=True)
class FaultTicket:
    ticket_no: str
    line_id: int
    symptom: str
    status: str
    technician_id: Optional[int]
    created_at: datetime
    expected_arrival: Optional[datetime]

    @property
    def is_done(self) -> bool:
        """Repaired: no visit is expected any more, and the follower may rate it."""
        return self.status == DONE_STATUS


@dataclass(frozen=True)
class ServiceHall:
    hall_id: int
    name: str
    district: str
    address: str
    latitude: float
    longitude: float
    opening_hours: str
    queue_length: int


@dataclass(frozen=True)
class Flight:
    flight_id: int
    flight_no: str
    origin: str
    destination: str
    departure: datetime
    gate: str


@dataclass(frozen=True)
class FlightBooking:
    booking_id: int
    ticket_number: str
    passenger_name: str
    id_card: str
    customer_id: Optional[int]
    flight: Flight
    seat_no: Optional[str]
    checked_in_at: Optional[datetime]


@dataclass(frozen=True)
class Seat:
    seat_no: str
    row: int
    letter: str
    is_window: bool
    is_aisle: bool
    is_exit_row: bool
    is_free: bool


class CrmBackend(abc.ABC):
    """Read and write access to customer records. Implementations must be safe to share across threads."""

    # -- customers and WeChat bindings -------------------------------------------------------------
    @abc.abstractmethod
    def customer_by_mobile(self, mobile: str) -> Optional[Customer]: ...

    @abc.abstractmethod
    def customer_by_id(self, customer_id: int) -> Optional[Customer]: ...

    @abc.abstractmethod
    def customer_for_openid(self, openid: str) -> Optional[Customer]:
        """The customer this WeChat follower is bound to, if any."""

    @abc.abstractmethod
    def bind_openid(self, openid: str, customer_id: int) -> None:
        """Bind (or re-bind) a follower to a customer."""

    @abc.abstractmethod
    def unbind_openid(self, openid: str) -> bool:
        """Remove the binding; True when there was one."""

    @abc.abstractmethod
    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        """Delete everything kept for this follower (binding, call-back requests with their numbers) when they
        unfollow; returns how many records went. With `before` (the unfollow time, service-zone wall-clock), only
        records made before it: a retried erasure must not delete what the follower made after re-subscribing."""

    @abc.abstractmethod
    def followers_of(self, customer_id: int) -> List[str]:
        """OpenIDs bound to the customer, the most recently bound first (whom the account may write to)."""

    @abc.abstractmethod
    def account_manager(self, manager_id: int) -> Optional[AccountManager]: ...

    @abc.abstractmethod
    def request_callback(self, openid: str, mobile: str) -> int:
        """Queue a call-back by a human agent; returns the request number."""

    # -- broadband ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def broadband_lines(self, customer_id: int) -> List[BroadbandLine]: ...

    @abc.abstractmethod
    def broadband_line(self, line_id: int) -> Optional[BroadbandLine]: ...

    @abc.abstractmethod
    def broadband_line_by_account(self, account: str) -> Optional[BroadbandLine]: ...

    @abc.abstractmethod
    def tickets_for_customer(self, customer_id: int, open_only: bool = False) -> List[FaultTicket]: ...

    @abc.abstractmethod
    def ticket_by_number(self, ticket_no: str) -> Optional[FaultTicket]: ...

    @abc.abstractmethod
    def technician(self, technician_id: int) -> Optional[Technician]: ...

    # -- service halls -----------------------------------------------------------------------------
    @abc.abstractmethod
    def service_halls(self, district: Optional[str] = None) -> List[ServiceHall]: ...

    # -- flights -----------------------------------------------------------------------------------
    @abc.abstractmethod
    def bookings_by_id_card(self, id_card: str) -> List[FlightBooking]: ...

    @abc.abstractmethod
    def booking_by_ticket_number(self, ticket_number: str) -> Optional[FlightBooking]: ...

    @abc.abstractmethod
    def bookings_for_customer(self, customer_id: int) -> List[FlightBooking]: ...

    @abc.abstractmethod
    def seat_map(self, flight_id: int) -> Sequence[Seat]: ...
