"""Per-day summaries of the conversations, kept in the console database and recomputed only for days with new events.

A day is a China-time calendar day (bot.clock); a conversation belongs to the day it started. A refresh reads
the tracker's events added since the last one, finds the days they fall on, and recomputes those days and the
day before (a conversation may run past midnight, and first-contact resolution looks 24 h ahead). Nothing here
runs on the message path: `python -m bot report` and the console's background task call `refresh`.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from sqlalchemy import Float, Integer, cast, column, delete, func, insert, select, table, text, update
from sqlalchemy.engine import Engine

from bot import clock
from bot.backends.sql.database import engine_for
from bot.console import tables as t
from bot.console.report import definitions as d
from bot.console.report.conversations import Conversation, ConversationReader, Row, local_time
from bot.handoff import load_handoff_rules
from bot.privacy import redact_for_review

UNANSWERED_KEPT_PER_DAY = 200   # the most frequent unanswered texts kept per day
EVENT_COLUMNS = "id, sender_id, type_name, timestamp, intent_name, action_name, data"
CHUNK = 5000
BUCKET_SECONDS = 900   # how finely new events are grouped to find the days they fall on
TRACKER_EVENTS = table("events", column("id", Integer), column("timestamp", Float))   # Rasa's SQLTrackerStore table


@dataclass(frozen=True)
class RefreshResult:
    days: Tuple[date, ...]
    conversations: int
    seconds: float


def day_start(day: date) -> float:
    """Epoch seconds of a China-time day's midnight."""
    return datetime(day.year, day.month, day.day, tzinfo=clock.zone()).timestamp()


def _local_days(conn: Any, key: Any, moment: Any, after: int) -> Set[date]:
    """The service-zone dates of the rows with `key` > `after`, without reading every row: the database groups the
    moments into buckets of BUCKET_SECONDS and returns each bucket's first and last moment. A bucket is shorter than
    a day, so the dates of its two ends are all the dates its rows fall on, whatever the zone's offset (+05:30,
    +05:45) or daylight saving, and however the database rounds the bucket number."""
    bucket = cast(moment / BUCKET_SECONDS, Integer)
    rows = conn.execute(select(func.min(moment), func.max(moment)).where(key > after, moment.isnot(None)).group_by(bucket))
    return {local_time(at).date() for ends in rows for at in ends if at}


def _follower_key(sender_id: str) -> str:
    """Followers are counted by a short hash: a period's distinct followers without keeping OpenIDs in summaries."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:12]


def empty_summary() -> Dict[str, Any]:
    return {
        "followers": [], "conversations": 0, "messages": 0,
        "messages_by_hour": [0] * 24, "conversations_by_hour": [0] * 24,
        "entries": {}, "channels": {}, "bot_alone": 0, "contained": 0, "handoffs": {},
        "fallbacks": 0, "unanswered": {}, "intents": {}, "faq": {},
        "funnels": {flow: {step: 0 for step in steps} for flow, steps in d.FUNNELS.items()},
        "fault_outcomes": {step: 0 for step in d.FAULT_OUTCOME_STEPS},
        "gave_up": {}, "ratings": {}, "tickets_created": 0,
        "latency_ms": {}, "delivery": {"passive": 0, "late": 0, "lost": 0},
    }


def summarise(conversations: Iterable[Conversation], latencies: Iterable[Tuple[float, Optional[float], str]]) -> Dict[str, Any]:
    """One day's counters from its conversations and its reply-latency rows (received_at, seconds, delivery)."""
    s = empty_summary()
    followers: Set[str] = set()
    entries, channels, handoffs, unanswered, intents, faq, gave_up, ratings = (Counter() for _ in range(8))
    for c in conversations:
        followers.add(_follower_key(c.sender_id))
        s["conversations"] += 1
        s["conversations_by_hour"][local_time(c.started_at).hour] += 1
        s["contained"] += 0 if c.handed_over else 1
        handoffs.update(c.handoff_reasons)
        for turn in c.turns:
            s["messages"] += 1
            s["messages_by_hour"][local_time(turn.at).hour] += 1
            entries[turn.entry] += 1
            channels[turn.channel] += 1
            intents[turn.intent] += 1
            s["bot_alone"] += turn.bot_alone
            if turn.faq_entry:
                faq[turn.faq_entry] += 1
            if turn.fell_back:
                s["fallbacks"] += 1
                if turn.entry == "text" and turn.text:
                    unanswered[redact_for_review(turn.text.strip())[:100]] += 1
        for flow, steps in d.FUNNELS.items():
            for step in steps:
                s["funnels"][flow][step] += step in c.steps[flow]
        for outcome in c.fault_outcomes:
            s["fault_outcomes"][outcome] += 1
        if c.gave_up:
            gave_up[c.gave_up] += 1
        ratings.update(str(stars) for stars in c.ratings)
        s["tickets_created"] += c.tickets_created
    latency: Counter = Counter()
    for _received, seconds, delivery in latencies:
        s["delivery"][delivery] = s["delivery"].get(delivery, 0) + 1
        if seconds is not None and delivery != "lost":
            latency[str(int(seconds * 1000) // d.LATENCY_BUCKET_MS)] += 1
    s.update(followers=sorted(followers), entries=dict(entries), channels=dict(channels), handoffs=dict(handoffs),
             unanswered=dict(unanswered.most_common(UNANSWERED_KEPT_PER_DAY)), intents=dict(intents), faq=dict(faq),
             gave_up=dict(gave_up), ratings=dict(ratings), latency_ms=dict(latency))
    return s


class DailySummaries:
    """Keeps `console_day_summaries` and `console_conversations` up to date with the tracker store."""

    def __init__(self, console_url: str, tracker_url: str) -> None:
        self.console: Engine = t.console_engine(console_url)
        self.tracker: Engine = engine_for(tracker_url)

    # -- progress ------------------------------------------------------------------------------------
    def _progress(self, name: str) -> float:
        with self.console.connect() as conn:
            value = conn.execute(select(t.progress.c.value).where(t.progress.c.name == name)).scalar()
        return float(value or 0)

    def _set_progress(self, conn: Any, name: str, value: float) -> None:
        conn.execute(delete(t.progress).where(t.progress.c.name == name))
        conn.execute(insert(t.progress).values(name=name, value=value))

    # -- what changed ----------------------------------------------------------------------------------
    def _changed_days(self) -> Tuple[Set[date], int, int]:
        last_event, last_latency = int(self._progress("events")), int(self._progress("latency"))
        days: Set[date] = set()
        with self.tracker.connect() as conn:
            if not self._has_events_table(conn):
                return days, last_event, last_latency

            top = int(conn.execute(text("select max(id) from events")).scalar() or 0)
            if top > last_event:
                days |= _local_days(conn, TRACKER_EVENTS.c.id, TRACKER_EVENTS.c.timestamp, last_event)
        with self.console.connect() as conn:
            newest = conn.execute(select(func.max(t.reply_latency.c.id))).scalar() or 0
            if newest > last_latency:
                days |= _local_days(conn, t.reply_latency.c.id, t.reply_latency.c.received_at, last_latency)
        return days, top, int(newest)

    @staticmethod
    def _has_events_table(conn: Any) -> bool:
        from sqlalchemy import inspect

        return inspect(conn).has_table("events")

    # -- reading the tracker ----------------------------------------------------------------------------
    def _rows_from(self, start_id: int) -> Iterator[Row]:
        with self.tracker.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(
                text(f"select {EVENT_COLUMNS} from events where id >= :start order by id"), {"start": start_id})
            while True:
                chunk = result.fetchmany(CHUNK)
                if not chunk:
                    break
                yield from chunk

    def _first_id_from(self, moment: float) -> int:
        with self.tracker.connect() as conn:
            return int(conn.execute(text("select min(id) from events where timestamp >= :at"), {"at": moment}).scalar() or 0)

    def _latencies(self, first: date, last: date) -> Dict[date, List[Tuple[float, Optional[float], str]]]:
        by_day: Dict[date, List[Tuple[float, Optional[float], str]]] = {}
        c = t.reply_latency.c
        with self.console.connect() as conn:
            rows = conn.execute(select(c.received_at, c.seconds, c.delivery).where(
                c.received_at >= day_start(first), c.received_at < day_start(last + timedelta(days=1))))
            for received, seconds, delivery in rows:
                by_day.setdefault(local_time(received).date(), []).append((received, seconds, delivery))
        return by_day

    # -- the refresh ---------------------------------------------------------------------------------
    def refresh(self, force_all: bool = False) -> RefreshResult:
        """Recompute the days with new events (and the day before each); `force_all` recomputes everything."""
        started = time.monotonic()
        if force_all:
            with self.console.begin() as conn:
                conn.execute(delete(t.progress))
        changed, top_event, top_latency = self._changed_days()
        if not changed:
            return RefreshResult((), 0, time.monotonic() - started)
        days = sorted(changed | {day - timedelta(days=1) for day in changed})
        first_ts = day_start(days[0])
        start_id = self._first_id_from(first_ts) if self._progress("events") else 0
        reader = ConversationReader(load_handoff_rules())
        wanted = set(days)
        by_day: Dict[date, List[Conversation]] = {day: [] for day in days}
        for conversation in reader.read(self._rows_from(start_id), only_started_after=first_ts if start_id else None):
            if conversation.day in wanted:
                by_day[conversation.day].append(conversation)
        latencies = self._latencies(days[0], days[-1])
        now = time.time()
        count = 0
        with self.console.begin() as conn:
            for day in days:
                conn.execute(delete(t.day_summaries).where(t.day_summaries.c.day == day))
                conn.execute(delete(t.conversations).where(t.conversations.c.day == day))
                summary = summarise(by_day[day], latencies.get(day, []))
                conn.execute(insert(t.day_summaries).values(day=day, summary=json.dumps(summary, ensure_ascii=False), computed_at=now))
                records = [_record(c) for c in by_day[day]]
                if records:
                    conn.execute(insert(t.conversations), records)
                count += len(records)
            self._mark_returns(conn, days[0] - timedelta(days=1))
            self._set_progress(conn, "events", top_event)
            self._set_progress(conn, "latency", top_latency)
        return RefreshResult(tuple(days), count, time.monotonic() - started)

    @staticmethod
    def _mark_returns(conn: Any, since: date) -> None:
        """First-contact resolution: a resolved conversation is 'returned' when its follower starts another one
        with the same need within 24 h of its end."""
        c = t.conversations.c
        rows = conn.execute(select(c.id, c.sender_id, c.started_at, c.ended_at, c.need)
                            .where(c.day >= since, c.need.isnot(None)).order_by(c.sender_id, c.started_at)).all()
        returned: List[str] = []
        kept: List[str] = []
        for index, (key, sender, _start, end, need) in enumerate(rows):
            came_back = False
            for later in rows[index + 1:]:
                if later[1] != sender or later[2] > end + d.FCR_WINDOW_SECONDS:
                    break
                if later[4] == need:
                    came_back = True
                    break
            (returned if came_back else kept).append(key)
        for keys, value in ((returned, True), (kept, False)):
            for start in range(0, len(keys), 500):
                conn.execute(update(t.conversations).where(c.id.in_(keys[start:start + 500])).values(returned=value))


def _record(c: Conversation) -> Dict[str, Any]:
    return {"id": c.key, "sender_id": c.sender_id, "day": c.day, "started_at": c.started_at, "ended_at": c.ended_at,
            "messages": len(c.turns), "need": c.need, "resolved": c.resolved, "returned": False,
            "handed_over": c.handed_over, "fell_back": c.fell_back, "gave_up": c.gave_up, "rating": c.lowest_rating}
