"""The figures of a period, merged from the per-day summaries (no event is read here, so pages answer fast)."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from bot.console import tables as t
from bot.console.report import definitions as d
from bot.console.report.daily import empty_summary
from bot.console.report.satisfaction import satisfaction

TOP = 10


def share(part: float, whole: float) -> Optional[float]:
    return part / whole if whole else None


def percentile(histogram: Dict[str, int], fraction: float) -> Optional[float]:
    """The latency (ms, upper edge of its 10 ms bucket) below which `fraction` of the replies fall."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted, seen = fraction * total, 0
    for bucket in sorted(histogram, key=int):
        seen += histogram[bucket]
        if seen >= wanted:
            return (int(bucket) + 1) * d.LATENCY_BUCKET_MS
    return None


def _days(first: date, last: date) -> List[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def load_summaries(engine: Engine, first: date, last: date) -> Dict[date, Dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.day_summaries.c.day, t.day_summaries.c.summary)
                            .where(t.day_summaries.c.day >= first, t.day_summaries.c.day <= last)).all()
    found = {row[0]: json.loads(row[1]) for row in rows}
    return {day: found.get(day) or empty_summary() for day in _days(first, last)}


def first_contact_resolution(engine: Engine, first: date, last: date) -> Tuple[int, int, int]:
    """(conversations with a need, resolved, resolved and not back with the same need within 24 h)."""
    c = t.conversations.c
    with engine.connect() as conn:
        needs, resolved, kept = conn.execute(select(
            func.count(), func.coalesce(func.sum(func.cast(c.resolved, t.Integer)), 0),
            func.coalesce(func.sum(func.cast(and_(c.resolved, ~c.returned), t.Integer)), 0),
        ).where(c.day >= first, c.day <= last, c.need.isnot(None))).one()
    return int(needs), int(resolved), int(kept)


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def build_report(engine: Engine, period: Period) -> Dict[str, Any]:
    """Every figure of the report for the period, plain data for the template and the tests."""
    days = load_summaries(engine, period.first, period.last)
    total: Dict[str, Any] = {}
    followers = set()
    counters = {key: Counter() for key in ("entries", "channels", "handoffs", "unanswered", "intents", "faq", "gave_up",
                                           "ratings", "latency_ms", "delivery", "fault_outcomes")}
    funnels = {flow: Counter() for flow in d.FUNNELS}
    by_hour = {"messages": [0] * 24, "conversations": [0] * 24}
    sums = Counter()
    trend: Dict[str, List[Any]] = {"days": [], "conversations": [], "messages": [], "containment": [], "fallback_rate": []}
    for day, s in days.items():
        followers.update(s["followers"])
        for key in ("conversations", "messages", "bot_alone", "contained", "fallbacks", "tickets_created"):
            sums[key] += s[key]
        for key in counters:
            counters[key].update(s[key])
        for flow in d.FUNNELS:
            funnels[flow].update(s["funnels"][flow])
        for hour in range(24):
            by_hour["messages"][hour] += s["messages_by_hour"][hour]
            by_hour["conversations"][hour] += s["conversations_by_hour"][hour]
        trend["days"].append(day.isoformat())
        trend["conversations"].append(s["conversations"])
        trend["messages"].append(s["messages"])
        trend["containment"].append(_pct(share(s["contained"], s["conversations"])))
        trend["fallback_rate"].append(_pct(share(s["fallbacks"], s["messages"])))
    conversations, messages = sums["conversations"], sums["messages"]
    handed_over = conversations - sums["contained"]
    needs, resolved, kept = first_contact_resolution(engine, period.first, period.last)
    latency = counters["latency_ms"]
    delivery = counters["delivery"]
    answered = delivery["passive"] + delivery["late"]
    total.update(
        period={"from": period.first.isoformat(), "to": period.last.isoformat(), "days": len(days)},
        trend=trend, by_hour=by_hour,
        scale={"followers": len(followers), "conversations": conversations, "messages": messages,
               "entries": dict(counters["entries"].most_common()), "channels": dict(counters["channels"].most_common())},
        automation={"bot_alone": share(sums["bot_alone"], messages), "containment": share(sums["contained"], conversations),
                    "handoff_rate": share(handed_over, conversations), "handed_over": handed_over,
                    "handoffs": {reason: counters["handoffs"][reason] for reason in d.HANDOFF_REASONS},
                    "handoff_rates": {reason: share(counters["handoffs"][reason], conversations) for reason in d.HANDOFF_REASONS}},
        understanding={"fallback_rate": share(sums["fallbacks"], messages), "fallbacks": sums["fallbacks"],
                       "unanswered": counters["unanswered"].most_common(TOP),
                       "intents": counters["intents"].most_common(TOP), "faq": counters["faq"].most_common(TOP)},
        resolution={"funnels": {flow: [(step, funnels[flow][step]) for step in steps] for flow, steps in d.FUNNELS.items()},
                    "fault_outcomes": [(step, counters["fault_outcomes"][step]) for step in d.FAULT_OUTCOME_STEPS],
                    "gave_up": {flow: [(step, counters["gave_up"][f"{flow}:{step}"]) for step in steps[:-1]]
                                for flow, steps in d.FUNNELS.items()},
                    "fcr": share(kept, needs), "with_need": needs, "resolved": resolved, "resolved_not_back": kept},
        satisfaction=satisfaction(counters["ratings"], sums["tickets_created"], period),
        service={"p50": percentile(latency, 0.50), "p95": percentile(latency, 0.95), "p99": percentile(latency, 0.99),
                 "measured": sum(latency.values()), "passive": share(delivery["passive"], answered + delivery["lost"]),
                 "late": share(delivery["late"], answered + delivery["lost"]), "lost": delivery["lost"],
                 "replies": answered + delivery["lost"]},
    )
    return total


def _pct(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value * 100, 1)
