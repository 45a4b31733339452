"""The console's own tables (one SQLAlchemy metadata, created on first use), kept apart from Rasa's and the back ends'."""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Engine

from bot.backends.sql.database import engine_for

metadata = MetaData()

# One row per China-time day: the day's counters as JSON (bot.console.report.daily), recomputed when new events arrive.
day_summaries = Table(
    "console_day_summaries", metadata,
    Column("day", Date, primary_key=True),
    Column("summary", Text, nullable=False),
    Column("computed_at", Float, nullable=False),
)

# One row per conversation (Rasa session): what the review filters on; the transcript itself stays in Rasa's store.
conversations = Table(
    "console_conversations", metadata,
    Column("id", String(64), primary_key=True),          # sender + session start, hashed (a stable short key)
    Column("sender_id", String(255), nullable=False),
    Column("day", Date, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float, nullable=False),
    Column("messages", Integer, nullable=False),
    Column("need", String(32)),                            # the first flow the follower asked for
    Column("resolved", Boolean, nullable=False),
    Column("returned", Boolean, nullable=False, default=False),   # came back with the same need within 24 h
    Column("handed_over", Boolean, nullable=False),
    Column("fell_back", Boolean, nullable=False),
    Column("gave_up", String(64)),                         # "checkin:identified": the last funnel step reached
    Column("rating", Integer),                             # the lowest repair rating given in it
    Index("ix_console_conversations_day", "day"),
    Index("ix_console_conversations_sender", "sender_id", "started_at"),
)

# Written by the WeChat channel (channels/wechat/service_level.py): one row per follower message it answered.
reply_latency = Table(
    "console_reply_latency", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", Float, nullable=False),          # epoch seconds when WeChat's POST arrived
    Column("seconds", Float),                              # until the reply was handed over (None: lost)
    Column("delivery", String(8), nullable=False),         # passive | late | lost
    Index("ix_console_reply_latency_received", "received_at"),
)

# Progress of the incremental summary: the last tracker event id and latency row id already read.
progress = Table(
    "console_progress", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Float, nullable=False),
)

operators = Table(
    "console_operators", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),            # manager | reviewer
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "console_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),    # SHA-256 of the cookie's random token
    Column("operator", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

login_failures = Table(
    "console_login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(160), nullable=False),            # "account:NAME" or "address:IP"
    Column("at", Float, nullable=False),
    Index("ix_console_login_failures_key", "key", "at"),
)

audit_log = Table(
    "console_audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("operator", String(64), nullable=False),
    Column("action", String(32), nullable=False),          # transcript_view | login | logout | login_refused
    Column("subject", String(255)),                        # the conversation viewed
    Column("address", String(64)),
)


def console_engine(url: str) -> Engine:
    """The console database's engine with its tables created (idempotent)."""
    engine = engine_for(url)
    metadata.create_all(engine)
    return engine


__all__ = ["metadata", "day_summaries", "conversations", "reply_latency", "progress", "operators", "sessions",
           "login_failures", "audit_log", "console_engine", "Date"]
