"""Tables of the account's outbound side: announced outages, followers' last interactions (WeChat's
customer-service window) and the per-campaign delivery log. Declared on the shared Base and listed in
bot.backends.sql.database.SCHEMA_MODULES, so `create_schema` (and `python -m bot seed`) creates them with the others;
nothing else in them is demo data."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint

from bot.backends.sql.models import Base


class OutageRow(Base):
    """An outage an operator announced for an area (a district, or the start of the lines' addresses)."""

    __tablename__ = "outages"
    id = Column(Integer, primary_key=True)
    area = Column(String(100), nullable=False)
    cause = Column(String(100), nullable=False)
    expected_restore_at = Column(DateTime, nullable=False)   # China wall-clock (bot.clock)
    announced_at = Column(DateTime, nullable=False)
    restored_at = Column(DateTime)                            # None: still going on


class FollowerInteractionRow(Base):
    """A follower's latest message and latest click/follow/scan, and how many customer-service messages the
    account sent since each: WeChat allows 5 within 48 h of a message and 3 within a minute of an event."""

    __tablename__ = "follower_interactions"
    openid = Column(String(64), primary_key=True)
    last_message_at = Column(DateTime)
    message_sends = Column(Integer, nullable=False, default=0)
    last_event_at = Column(DateTime)
    event_sends = Column(Integer, nullable=False, default=0)


class DeliveryRow(Base):
    """One follower's message of one campaign. The unique key is the claim: whoever inserts it sends."""

    __tablename__ = "outbound_deliveries"
    id = Column(Integer, primary_key=True)
    campaign = Column(String(64), nullable=False)
    openid = Column(String(64), nullable=False)
    dedupe_key = Column(String(100), nullable=False)
    kind = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)        # claimed, sent, skipped, failed
    route = Column(String(16))                         # customer_service, template
    reason = Column(String(64))
    errcode = Column(Integer)
    msgid = Column(String(32))                         # template sends: WeChat's msgid, for TEMPLATESENDJOBFINISH
    template_status = Column(String(32))               # success, failed:user block, failed:system failed
    claimed_at = Column(DateTime, nullable=False)
    finished_at = Column(DateTime)
    __table_args__ = (UniqueConstraint("campaign", "openid", "dedupe_key", name="uq_delivery_claim"),)
