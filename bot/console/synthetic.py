"""Synthetic conversations in Rasa's own event format, for the console's tests and its scale benchmark.

`scripted_events` builds one conversation of a known kind with Rasa's event classes (so the rows are exactly
what Rasa's SQL tracker store writes); `save_with_rasa` stores them through Rasa's `SQLTrackerStore`;
`generate_month` bulk-writes a month of such conversations (a large account's volume) straight into the table.
"""
from __future__ import annotations

import asyncio
import json
import random
from datetime import date, datetime
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered

from bot import clock

Step = Tuple[str, str, float, List[Tuple[str, Optional[str]]]]   # (text, intent, confidence, [(action, response)])

# A conversation kind → its follower messages, each with the actions and responses the bot answered with.
SCRIPTS: Dict[str, List[Step]] = {
    "faq": [("营业厅几点关门", "faq", 0.93, [("utter_faq", "utter_faq/营业厅营业时间")])],
    "query": [("查话费", "query_balance", 0.97, [("action_query_balance", "utter_balance")])],
    "query_unbound_answered": [
        ("查流量", "query_data", 0.95, [("action_query_data", "utter_bind_needed"), ("bind_account_form", "utter_ask_phone_number")]),
        ("13800138000", "inform", 0.9, [("bind_account_form", "utter_ask_verification_code")]),
        ("123456", "inform", 0.9, [("action_bind_account", "utter_bind_success"), ("action_query_data", "utter_data_usage")]),
    ],
    "query_gave_up_binding": [
        ("查账单", "query_bill", 0.95, [("action_query_bill", "utter_bind_needed"), ("bind_account_form", "utter_ask_phone_number")]),
    ],
    "fault_ticket": [
        ("宽带报修", "report_fault", 0.96, [("action_start_fault_report", "utter_fault_checking"), ("action_diagnose_line", "utter_fault_found_no_fault")]),
        ("1", "choose_option", 0.9, [("action_create_ticket", "utter_ticket_created")]),
    ],
    "fault_fixed": [
        ("光猫亮红灯", "report_fault", 0.96, [("action_start_fault_report", "utter_fault_checking"), ("action_diagnose_line", "utter_fault_fixed_port_down")]),
        ("好了", "fault_fixed", 0.95, [("action_close_fault", "utter_fault_resolved")]),
    ],
    "fault_outage": [("网断了", "report_fault", 0.94, [("action_start_fault_report", "utter_fault_checking"), ("action_diagnose_line", "utter_fault_outage")])],
    "checkin_done": [
        ("值机", "check_in", 0.97, [("action_start_check_in", "utter_checkin_own_bookings"), ("checkin_form", "utter_segment_chosen"), ("checkin_form", "utter_ask_seat_request")]),
        ("靠窗", "inform", 0.9, [("checkin_form", "utter_seat_proposed"), ("checkin_form", "utter_ask_checkin_confirm")]),
        ("确认", "affirm", 0.95, [("action_issue_boarding_pass", "utter_boarding_pass_header_issued"), ("action_issue_boarding_pass", "utter_boarding_pass")]),
    ],
    "checkin_gave_up_id": [("我要值机", "check_in", 0.96, [("action_start_check_in", None), ("checkin_form", "utter_ask_checkin_id")])],
    "checkin_gave_up_seat": [
        ("值机", "check_in", 0.97, [("action_start_check_in", "utter_checkin_own_bookings"), ("checkin_form", "utter_segment_chosen"), ("checkin_form", "utter_ask_seat_request")]),
        ("32A", "inform", 0.9, [("checkin_form", "utter_seat_proposed"), ("checkin_form", "utter_ask_checkin_confirm")]),
    ],
    "handoff": [("转人工", "human_handoff", 1.0, [("action_handoff", "utter_handoff")])],
    "complaint": [("我要投诉你们", "human_handoff", 1.0, [("action_handoff", "utter_handoff")])],
    "keyword": [("手机死机了", "human_handoff", 1.0, [("action_handoff", "utter_handoff")])],
    "out_of_hours": [("转人工", "human_handoff", 1.0, [("action_handoff", "utter_handoff_closed")])],
    "fallback": [("asdfgh", "nlu_fallback", 0.31, [("action_fallback", "utter_default")])],
    "misunderstood_handoff": [
        ("嗯嗯那个", "nlu_fallback", 0.3, [("action_fallback", "utter_default")]),
        ("就是那个啊", "nlu_fallback", 0.28, [("action_fallback", "utter_offer_human")]),
        ("/human_handoff", "human_handoff", 1.0, [("action_handoff", "utter_handoff")]),
    ],
    "low_rating": [("评价 2星 太慢了", "rate_ticket", 0.95, [("action_rate_ticket", "utter_rating_saved:★★")])],
    "good_rating": [("5星 师傅很专业", "rate_ticket", 0.95, [("action_rate_ticket", "utter_rating_saved:★★★★★")])],
    "menu_click": [("/query_points", "query_points", 1.0, [("action_query_points", "utter_points")])],
}
ENTRY_METADATA = {"menu_click": {"msg_type": "event", "event": "CLICK"}}


def scripted_events(kind: str, start: float, channel: str = "wechat", gap: float = 20.0, message_seed: int = 0) -> List[Event]:
    """One Rasa session of `kind` starting at `start` (epoch seconds), as Rasa's own event objects."""
    at = start
    events: List[Event] = [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
                           ActionExecuted("action_listen", timestamp=at)]
    for index, (text, intent, confidence, answers) in enumerate(SCRIPTS[kind]):
        at += gap if index else 0.5
        wechat = dict(ENTRY_METADATA.get(kind, {"msg_type": "text"}))
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
                 "intent_ranking": [{"name": intent, "confidence": confidence}]}
        if intent == "faq":
            response = next(r for _, r in answers if r)
            parse["response_selector"] = {"faq": {"response": {"intent_response_key": response[len("utter_"):], "confidence": 0.9}}}
        events.append(UserUttered(text, intent=parse["intent"], parse_data=parse, input_channel=channel,
                                  message_id=f"{message_seed}-{index}", metadata={"wechat": wechat}, timestamp=at))
        for action, response in answers:
            at += 0.05
            events.append(ActionExecuted(action, policy="RulePolicy", confidence=1.0, timestamp=at))
            if response:
                name, _, stars = response.partition(":")
                metadata = {"utter_action": name, **({"stars": stars, "ticket_no": "GZ2026112000045"} if stars else {})}
                events.append(BotUttered(f"（{name}）", metadata=metadata, timestamp=at))
        events.append(ActionExecuted("action_listen", timestamp=at + 0.01))
    return events


def save_with_rasa(db_path: str, conversations: Iterable[Tuple[str, List[Event]]]) -> None:
    """Store conversations through Rasa's own SQLTrackerStore (the exact rows a running bot writes)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=db_path)
    by_sender: Dict[str, List[Event]] = {}
    for sender, events in conversations:
        by_sender.setdefault(sender, []).extend(events)

    async def save() -> None:
        for sender, events in by_sender.items():
            await store.save(DialogueStateTracker.from_events(sender, sorted(events, key=lambda e: e.timestamp)))

    asyncio.run(save())


# Mix of a month of traffic: kind → weight (a large account's follower questions, mostly self-service).
MIX: Dict[str, float] = {"faq": 18, "query": 20, "query_unbound_answered": 8, "query_gave_up_binding": 3, "fault_ticket": 5,
                         "fault_fixed": 4, "fault_outage": 2, "checkin_done": 6, "checkin_gave_up_id": 2,
                         "checkin_gave_up_seat": 1, "handoff": 4, "complaint": 1, "keyword": 1, "out_of_hours": 1,
                         "fallback": 5, "misunderstood_handoff": 1, "low_rating": 1, "good_rating": 2, "menu_click": 6}


def _row(sender: str, event: Event) -> Tuple[str, str, float, Optional[str], Optional[str], str]:
    data = event.as_dict()
    intent = (data.get("parse_data") or {}).get("intent", {}).get("name") if data["event"] == "user" else None
    action = data.get("name") if data["event"] in ("action", "slot", "active_loop") else None
    return sender, data["event"], event.timestamp, intent, action, json.dumps(data)


def generate_month(db_path: str, first_day: date, events_wanted: int, followers: int = 40000, seed: int = 7,
                   progress: Optional[Callable[[int], None]] = None, days: int = 30) -> Tuple[int, int]:
    """Write about `events_wanted` events of `days` days of conversations into Rasa's events table; (events, conversations)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from sqlalchemy import create_engine, text

    SQLTrackerStore(Domain.empty(), dialect="sqlite", db=db_path)   # Rasa creates its table and index
    rng = random.Random(seed)
    kinds, weights = zip(*MIX.items())
    zone = clock.zone()
    month_start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=zone).timestamp()
    hour_weights = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 9, 10, 10, 8, 8, 9, 9, 8, 7, 6, 7, 8, 7, 5, 3]
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    written = conversations = 0
    batch: List[Tuple] = []
    insert = text("insert into events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                  "values (:s, :t, :ts, :i, :a, :d)")
    starts: List[Tuple[float, str, str]] = []
    while written < events_wanted:
        kind = rng.choices(kinds, weights)[0]
        day = rng.randrange(days)
        hour = rng.choices(range(24), hour_weights)[0]
        start = month_start + day * 86400 + hour * 3600 + rng.random() * 3500
        sender = f"o-synthetic-{rng.randrange(followers):06d}"
        size = 3 + sum(2 + sum(1 + bool(r) for _, r in step[3]) for step in SCRIPTS[kind])
        starts.append((start, sender, kind))
        written += size
        conversations += 1
    starts.sort()
    count = 0
    with engine.begin() as conn:
        for n, (start, sender, kind) in enumerate(starts):
            for event in scripted_events(kind, start, message_seed=n):
                row = _row(sender, event)
                batch.append({"s": row[0], "t": row[1], "ts": row[2], "i": row[3], "a": row[4], "d": row[5]})
            if len(batch) >= 20000:
                conn.execute(insert, batch)
                count += len(batch)
                batch.clear()
                if progress:
                    progress(count)
        if batch:
            conn.execute(insert, batch)
            count += len(batch)
    return count, conversations


def latency_rows(conversation_starts: Sequence[float], seed: int = 7) -> List[Dict[str, object]]:
    """Reply-latency rows as the WeChat channel writes them (mostly passive, a few late, very few lost)."""
    rng = random.Random(seed)
    rows = []
    for at in conversation_starts:
        roll = rng.random()
        delivery = "lost" if roll < 0.002 else "late" if roll < 0.02 else "passive"
        seconds = None if delivery == "lost" else (4.0 + rng.random() * 3 if delivery == "late" else rng.lognormvariate(-1.0, 0.5))
        rows.append({"received_at": at, "seconds": seconds, "delivery": delivery})
    return rows
