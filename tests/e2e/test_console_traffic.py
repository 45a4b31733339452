"""The console's figures checked against known traffic played through the real bot (issue 14's evidence).

The conversations of tests/conversations/console_traffic.yml run through REST and through the WeChat stand-in,
each as a new follower; Rasa stores them in its SQL tracker stores as in production. Their events (and only
theirs: the session's bots serve other tests too) are copied into one tracker database, the console summarises
it as `python -m bot report` does, and every figure is compared with what the conversations' `report` entries
and turns add up to.
"""
from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot import clock
from bot.console.report import definitions as d
from bot.console.report.daily import DailySummaries
from bot.console.report.figures import Period, build_report
from tests.e2e.conversations import ConversationRunner, load_conversations, report

TRAFFIC = load_conversations("console_traffic.yml")
ENTRY_OF_COMMAND = {"/click": "menu", "/voice": "voice", "/subscribe": "subscribe"}


def entry_of(line: str) -> str:
    return ENTRY_OF_COMMAND[line.split()[0]] if line.startswith("/") else "text"


def expected_figures(conversations: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What the report must show for these conversations, added up from their `report` entries and turns."""
    turns = [(c["channel"], turn) for c in conversations for turn in c["turns"]]
    funnels = {flow: Counter() for flow in d.FUNNELS}
    gave_up: Counter = Counter()
    for c in conversations:
        for flow, steps in (c["report"].get("funnel") or {}).items():
            funnels[flow].update(steps)
        if c["report"].get("gave_up"):
            gave_up[c["report"]["gave_up"]] += 1
    handed = [c["report"]["handoff"] for c in conversations if c["report"].get("handoff")]
    fallbacks = sum(c["report"].get("fallbacks", 0) for c in conversations)
    handoff_turns = sum(1 for _, turn in turns if turn.get("handoff"))
    with_need = [c for c in conversations if c["report"].get("need")]
    return {
        "conversations": len(conversations), "messages": len(turns),
        "entries": dict(Counter(entry_of(str(turn["user"])) for _, turn in turns)),
        "channels": dict(Counter(channel for channel, _ in turns)),
        "containment": (len(conversations) - len(handed)) / len(conversations),
        "handoffs": {reason: handed.count(reason) for reason in d.HANDOFF_REASONS},
        "fallbacks": fallbacks,
        "bot_alone": (len(turns) - fallbacks - handoff_turns) / len(turns),
        "faq": dict(Counter(c["report"]["faq"] for c in conversations if c["report"].get("faq"))),
        "funnels": {flow: [(step, funnels[flow][step]) for step in steps] for flow, steps in d.FUNNELS.items()},
        "gave_up": {flow: [(step, gave_up[f"{flow}:{step}"]) for step in steps[:-1]] for flow, steps in d.FUNNELS.items()},
        "fault_outcomes": [(step, sum(1 for c in conversations if c["report"].get("fault_outcome") == step))
                           for step in d.FAULT_OUTCOME_STEPS],
        "with_need": len(with_need), "resolved": sum(1 for c in with_need if c["report"]["resolved"]),
    }


def copy_events(trackers: Dict[str, Path], senders: Dict[str, List[str]], target: Path) -> None:
    """The senders' events from each bot's tracker database into one, in the order they happened."""
    rows = []
    schema = None
    for channel, tracker in trackers.items():
        with sqlite3.connect(tracker) as source:
            schema = schema or source.execute("select sql from sqlite_master where type = 'table' and name = 'events'").fetchone()[0]
            marks = ",".join("?" * len(senders[channel]))
            rows += source.execute("select sender_id, type_name, timestamp, intent_name, action_name, data from events"
                                   f" where sender_id in ({marks}) order by id", senders[channel]).fetchall()
    rows.sort(key=lambda row: row[2])   # stable: within a follower, the tracker's own order is kept
    with sqlite3.connect(target) as merged:
        merged.execute(schema)
        merged.executemany("insert into events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                           " values (?, ?, ?, ?, ?, ?)", rows)


def test_the_report_counts_known_traffic_played_through_rest_and_wechat(rest_bot, wechat_bot, tmp_path: Path) -> None:
    from bot.demo.seed import seed

    runners = {
        "rest": ConversationRunner(rest_bot, lambda: seed(f"sqlite:///{rest_bot.workdir}/backends.db", reset=True)),
        "wechat": ConversationRunner(wechat_bot.bot, lambda: seed(wechat_bot.database_url, reset=True), wechat_bot=wechat_bot),
    }
    trackers = {"rest": rest_bot.workdir / "tracker.db", "wechat": wechat_bot.bot.workdir / "tracker.db"}
    senders: Dict[str, List[str]] = {"rest": [], "wechat": []}
    failures = []
    first_day = clock.today()
    for conversation in TRAFFIC:
        channel = conversation["channel"]
        sender = f"traffic-{channel}-{uuid.uuid4().hex[:10]}"
        results = runners[channel].run(conversation, sender=sender)
        senders[channel].append(sender)
        if any(result.problems for result in results):
            failures.append(report(conversation["name"], results))
    last_day = clock.today()
    assert not failures, "the scripted traffic did not go as written:\n" + "\n".join(failures)

    copy_events(trackers, senders, tmp_path / "tracker.db")
    summaries = DailySummaries(f"sqlite:///{tmp_path / 'console.db'}", f"sqlite:///{tmp_path / 'tracker.db'}")
    summaries.refresh()
    figures = build_report(summaries.console, Period(first_day - timedelta(days=1), last_day))
    want = expected_figures(TRAFFIC)

    scale, automation = figures["scale"], figures["automation"]
    assert (scale["conversations"], scale["followers"], scale["messages"]) == (want["conversations"], want["conversations"], want["messages"])
    assert scale["entries"] == want["entries"] and scale["channels"] == want["channels"]
    assert automation["containment"] == pytest.approx(want["containment"])
    assert automation["handoffs"] == want["handoffs"]
    assert automation["bot_alone"] == pytest.approx(want["bot_alone"])
    understanding = figures["understanding"]
    assert understanding["fallbacks"] == want["fallbacks"]
    fell_back = [str(turn["user"]) for c in TRAFFIC for turn in c["turns"] if turn.get("understood") is False]
    assert sorted(text for text, _ in understanding["unanswered"]) == sorted(fell_back)
    assert dict(understanding["faq"]) == want["faq"]
    resolution = figures["resolution"]
    assert resolution["funnels"] == want["funnels"]
    assert resolution["gave_up"] == want["gave_up"]
    assert resolution["fault_outcomes"] == want["fault_outcomes"]
    assert (resolution["with_need"], resolution["resolved"]) == (want["with_need"], want["resolved"])
    assert resolution["fcr"] == pytest.approx(want["resolved"] / want["with_need"])   # nobody came back within 24 h
