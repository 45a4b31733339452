"""Tables of the demo stubs (CRM, billing, repairs, check-in, consent, surveys), and the `Base` every table module of
`bot.backends.sql` declares its tables on (database.SCHEMA_MODULES lists those modules)."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


# -- CRM ------------------------------------------------------------------------------------------
class AccountManagerRow(Base):
    __tablename__ = "account_managers"
    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False)
    phone = Column(String(20), nullable=False)
    greeting = Column(String(200), nullable=False)
    photo_url = Column(String(300), nullable=False)


class PackageRow(Base):
    __tablename__ = "packages"
    code = Column(String(32), primary_key=True)
    name = Column(String(64), nullable=False)
    monthly_fee_fen = Column(Integer, nullable=False)
    data_mb = Column(Integer, nullable=False)
    voice_minutes = Column(Integer, nullable=False)
    description = Column(Text, nullable=False)


class CustomerRow(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False)
    mobile = Column(String(11), nullable=False, unique=True)
    id_card = Column(String(18), nullable=False, unique=True)
    vip_level = Column(Integer, nullable=False, default=0)
    manager_id = Column(Integer, ForeignKey("account_managers.id"))
    package_code = Column(String(32), ForeignKey("packages.code"), nullable=False)
    billing_day = Column(Integer, nullable=False, default=1)
    balance_fen = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False, default="active")
    suspension_reason = Column(String(100))


class WeChatBindingRow(Base):
    __tablename__ = "wechat_bindings"
    openid = Column(String(64), primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    bound_at = Column(DateTime, nullable=False)


class BroadbandLineRow(Base):
    __tablename__ = "broadband_lines"
    id = Column(Integer, primary_key=True)
    account = Column(String(20), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    address = Column(String(200), nullable=False)
    district = Column(String(16), nullable=False)
    bandwidth_mbps = Column(Integer, nullable=False)
    diagnosis = Column(String(32), nullable=False)


class TechnicianRow(Base):
    __tablename__ = "technicians"
    id = Column(Integer, primary_key=True)
    name = Column(String(32), nullable=False)
    phone = Column(String(11), nullable=False)
    district = Column(String(16), nullable=False)


class FaultTicketRow(Base):
    __tablename__ = "fault_tickets"
    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(20), nullable=False, unique=True)
    line_id = Column(Integer, ForeignKey("broadband_lines.id"), nullable=False)
    symptom = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    technician_id = Column(Integer, ForeignKey("technicians.id"))
    created_at = Column(DateTime, nullable=False)
    expected_arrival = Column(DateTime)
    slot_start = Column(DateTime)
    slot_end = Column(DateTime)
    photo_url = Column(String(500))
    last_urged_at = Column(DateTime)
    urge_count = Column(Integer, nullable=False, default=0)
    rating = Column(Integer)
    rating_comment = Column(String(500))


class OpenTicketLockRow(Base):
    """One row per line with an open ticket: the primary key makes a second open ticket impossible."""

    __tablename__ = "open_ticket_locks"
    line_id = Column(Integer, ForeignKey("broadband_lines.id"), primary_key=True)
    ticket_no = Column(String(20), nullable=False)


class RestoreNoticeRow(Base):
    __tablename__ = "restore_notices"
    line_id = Column(Integer, ForeignKey("broadband_lines.id"), primary_key=True)
    openid = Column(String(64), primary_key=True)
    requested_at = Column(DateTime, nullable=True)   # a retried unsubscribe erasure keeps later requests


class ServiceHallRow(Base):
    __tablename__ = "service_halls"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    district = Column(String(16), nullable=False)
    address = Column(String(200), nullable=False)
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    opening_hours = Column(String(64), nullable=False)
    queue_length = Column(Integer, nullable=False)


class FlightRow(Base):
    __tablename__ = "flights"
    id = Column(Integer, primary_key=True)
    flight_no = Column(String(8), nullable=False)
    origin = Column(String(16), nullable=False)
    destination = Column(String(16), nullable=False)
    departure = Column(DateTime, nullable=False)
    gate = Column(String(8), nullable=False)
    __table_args__ = (UniqueConstraint("flight_no", "departure"),)


class SeatRow(Base):
    __tablename__ = "seats"
    flight_id = Column(Integer, ForeignKey("flights.id"), primary_key=True)
    seat_no = Column(String(4), primary_key=True)
    row = Column(Integer, nullable=False)
    letter = Column(String(1), nullable=False)
    is_window = Column(Boolean, nullable=False)
    is_aisle = Column(Boolean, nullable=False)
    is_exit_row = Column(Boolean, nullable=False)
    blocked = Column(Boolean, nullable=False, default=False)


class BookingRow(Base):
    __tablename__ = "bookings"
    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(13), nullable=False, unique=True)
    passenger_name = Column(String(32), nullable=False)
    id_card = Column(String(18), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    flight_id = Column(Integer, ForeignKey("flights.id"), nullable=False)
    seat_no = Column(String(4))
    checked_in_at = Column(DateTime)
    flight = relationship(FlightRow, lazy="joined")
    # One passenger per seat per flight, enforced by the database rather than by a prior check.
    __table_args__ = (UniqueConstraint("flight_id", "seat_no", name="uq_booking_seat"),)


class IdentificationAttemptRow(Base):
    """Check-in identification attempts of one follower (kind "follower") or against one ID-card / e-ticket number
    (kind "identifier"); the key is a SHA-256 of the OpenID / number, so no further copy of the number is kept.
    `attempts` counts failed attempts and those under way since `window_started`; `locked_until` ends a lock."""

    __tablename__ = "identification_attempts"
    kind = Column(String(16), primary_key=True)
    key = Column(String(64), primary_key=True)
    window_started = Column(DateTime, nullable=False)
    attempts = Column(Integer, nullable=False)
    locked_until = Column(DateTime)


class CallbackRequestRow(Base):
    __tablename__ = "callback_requests"
    id = Column(Integer, primary_key=True)
    openid = Column(String(64), nullable=False)
    mobile = Column(String(11), nullable=False)
    created_at = Column(DateTime, nullable=False)
    status = Column(String(16), nullable=False, default="pending")


# -- billing --------------------------------------------------------------------------------------
class BillRow(Base):
    __tablename__ = "bills"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    month = Column(String(7), nullable=False)
    total_fen = Column(Integer, nullable=False)
    paid = Column(Boolean, nullable=False)
    items = relationship("BillItemRow", order_by="BillItemRow.id", lazy="selectin")
    __table_args__ = (UniqueConstraint("customer_id", "month"),)


class BillItemRow(Base):
    __tablename__ = "bill_items"
    id = Column(Integer, primary_key=True)
    bill_id = Column(Integer, ForeignKey("bills.id"), nullable=False)
    name = Column(String(64), nullable=False)
    amount_fen = Column(Integer, nullable=False)


class UsageRow(Base):
    __tablename__ = "usage"
    customer_id = Column(Integer, ForeignKey("customers.id"), primary_key=True)
    bucket = Column(String(32), primary_key=True)
    unit = Column(String(8), nullable=False)
    used = Column(Integer, nullable=False)
    total = Column(Integer, nullable=False)


class PointsRow(Base):
    __tablename__ = "points"
    customer_id = Column(Integer, ForeignKey("customers.id"), primary_key=True)
    balance = Column(Integer, nullable=False)
    expiring = Column(Integer, nullable=False)
    expiring_on = Column(Date)


# -- engagement: consent to outbound messages, satisfaction surveys -----------------------------------
class ConsentRow(Base):
    """Every choice a follower made about a kind of outbound message, with its time; the latest one counts."""

    __tablename__ = "consent_records"
    id = Column(Integer, primary_key=True)
    openid = Column(String(64), nullable=False, index=True)
    topic = Column(String(32), nullable=False)
    granted = Column(Boolean, nullable=False)
    recorded_at = Column(DateTime, nullable=False)


class SurveyRow(Base):
    """One satisfaction survey of one service (a repair ticket, a human agent's session, a check-in).

    `scale` is 3 (满意 3 / 一般 2 / 不满意 1) or 5 (stars); `score` stays empty until the follower answers.
    Unfollowing empties `openid` and `comment` and keeps the rest, so the figures stay true."""

    __tablename__ = "survey_answers"
    id = Column(Integer, primary_key=True)
    service_kind = Column(String(16), nullable=False)
    service_id = Column(String(64), nullable=False)
    openid = Column(String(64), index=True)
    asked_at = Column(DateTime, nullable=False)
    scale = Column(Integer)
    score = Column(Integer)
    comment = Column(String(500))
    answered_at = Column(DateTime)
    __table_args__ = (UniqueConstraint("service_kind", "service_id", name="uq_survey_service"),)
