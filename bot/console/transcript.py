"""Conversation review: the conversation index filtered by outcome, and one conversation's transcript read from
Rasa's store, with the predicted intent and confidence per follower message and personal numbers masked."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from bot.console import tables as t
from bot.console.report import definitions as d
from bot.console.report.conversations import local_time
from bot.privacy import redact_for_review

OUTCOMES = ("handed_over", "fell_back", "gave_up", "low_rating")


@dataclass(frozen=True)
class Line:
    at: str
    speaker: str                 # follower | bot
    text: str
    intent: Optional[str] = None
    confidence: Optional[float] = None
    response: Optional[str] = None


def find_conversations(console: Engine, first: date, last: date, outcome: Optional[str], limit: int = 200) -> List[Dict[str, Any]]:
    c = t.conversations.c
    query = select(c.id, c.day, c.started_at, c.messages, c.need, c.handed_over, c.fell_back, c.gave_up, c.rating).where(
        c.day >= first, c.day <= last)
    if outcome == "handed_over":
        query = query.where(c.handed_over)
    elif outcome == "fell_back":
        query = query.where(c.fell_back)
    elif outcome == "gave_up":
        query = query.where(c.gave_up.isnot(None))
    elif outcome == "low_rating":
        query = query.where(c.rating <= d.LOW_RATING)
    with console.connect() as conn:
        rows = conn.execute(query.order_by(c.started_at.desc()).limit(limit)).mappings().all()
    return [dict(row, started=local_time(row["started_at"]).strftime("%Y-%m-%d %H:%M")) for row in rows]


def transcript(console: Engine, tracker: Engine, conversation_id: str) -> Optional[List[Line]]:
    """The conversation's messages, or None when there is no such conversation."""
    c = t.conversations.c
    with console.connect() as conn:
        found = conn.execute(select(c.sender_id, c.started_at, c.ended_at).where(c.id == conversation_id)).first()
    if found is None:
        return None
    with tracker.connect() as conn:
        rows = conn.execute(text("select type_name, timestamp, data from events where sender_id = :s and timestamp >= :a "
                                 "and timestamp <= :b and type_name in ('user', 'bot') order by id"),
                            {"s": found.sender_id, "a": found.started_at, "b": found.ended_at}).all()
    lines: List[Line] = []
    for kind, at, raw in rows:
        data = json.loads(raw or "{}")
        when = local_time(at).strftime("%H:%M:%S")
        if kind == "user":
            intent = (data.get("parse_data") or {}).get("intent") or {}
            lines.append(Line(when, "follower", redact_for_review(data.get("text") or ""), intent.get("name"),
                              intent.get("confidence")))
        elif data.get("text"):
            lines.append(Line(when, "bot", redact_for_review(data["text"]), response=(data.get("metadata") or {}).get("utter_action")))
    return lines
