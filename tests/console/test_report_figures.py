"""The report's figures checked against known traffic stored through Rasa's own SQL tracker store."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import List, Optional
from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert, select

from bot.console import tables as t
from bot.console.report import definitions as d
from bot.console.report.daily import DailySummaries
from bot.console.report.figures import Period, build_report
from bot.console.report.render import labels
from bot.settings import PROJECT_ROOT
from tests.console.conftest import china

DAY1, DAY2 = date(2026, 11, 10), date(2026, 11, 11)
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30))

# 20 conversations on 10 November, 3 of them handed to a person.
KNOWN = [
    ("f-faq-1", "faq", china(2026, 11, 10, 9)), ("f-faq-2", "faq", china(2026, 11, 10, 9, 5)),
    ("f-faq-3", "faq", china(2026, 11, 10, 10)), ("f-back", "faq", china(2026, 11, 10, 22)),
    ("f-q-1", "query", china(2026, 11, 10, 11)), ("f-q-2", "query", china(2026, 11, 10, 11, 5)),
    ("f-q-3", "query", china(2026, 11, 10, 11, 10)), ("f-q-4", "menu_click", china(2026, 11, 10, 12)),
    ("f-bind-1", "query_unbound_answered", china(2026, 11, 10, 13)), ("f-bind-2", "query_unbound_answered", china(2026, 11, 10, 13, 5)),
    ("f-bind-3", "query_gave_up_binding", china(2026, 11, 10, 14)),
    ("f-fault-1", "fault_ticket", china(2026, 11, 10, 15)), ("f-fault-2", "fault_ticket", china(2026, 11, 10, 15, 5)),
    ("f-ci-1", "checkin_done", china(2026, 11, 10, 16)), ("f-ci-2", "checkin_gave_up_id", china(2026, 11, 10, 16, 5)),
    ("f-ci-3", "checkin_gave_up_id", china(2026, 11, 10, 23, 30)),     # 15:30 UTC: still 10 November in China
    ("f-fb", "fallback", china(2026, 11, 10, 17)),
    ("f-h-1", "handoff", china(2026, 11, 10, 18)), ("f-h-2", "complaint", china(2026, 11, 10, 18, 5)),
    ("f-h-3", "misunderstood_handoff", china(2026, 11, 10, 18, 10)),
]


@pytest.fixture()
def summaries(tracker_db, tmp_path: Path) -> DailySummaries:
    url, add = tracker_db
    add(KNOWN)
    return DailySummaries(f"sqlite:///{tmp_path / 'console.db'}", url)


def test_known_traffic_gives_the_known_figures(summaries: DailySummaries, machine_zone: str) -> None:
    summaries.refresh()
    report = build_report(summaries.console, PERIOD)
    assert report["scale"]["conversations"] == 20
    assert report["scale"]["followers"] == 20
    messages = 1 * 4 + 1 * 4 + 3 * 2 + 1 + 2 * 2 + 3 + 1 + 1 + 1 + 1 + 1 + 3
    assert report["scale"]["messages"] == messages
    assert report["scale"]["entries"] == {"text": messages - 2, "menu": 1, "button": 1}
    assert report["automation"]["containment"] == pytest.approx(0.85)
    assert report["automation"]["handoffs"] == {"asked": 1, "complaint": 1, "keyword": 0, "misunderstood": 1, "out_of_hours": 0}
    # not alone: 3 handoff turns, 3 fallback turns (f-fb, and two in f-h-3), and 2 check-in turns answered only
    # by the form's question count as answered: answered alone = messages - 6
    assert report["automation"]["bot_alone"] == pytest.approx((messages - 6) / messages)
    assert report["understanding"]["fallback_rate"] == pytest.approx(3 / messages)
    assert ("asdfgh", 1) in report["understanding"]["unanswered"]
    assert report["understanding"]["faq"] == [("营业厅营业时间", 4)]
    funnels = report["resolution"]["funnels"]
    assert funnels["query"] == [("asked", 7), ("bound", 6), ("answered", 6)]
    assert funnels["fault"] == [("reported", 2), ("diagnosed", 2), ("outcome", 2)]
    assert funnels["checkin"] == [("started", 3), ("identified", 1), ("seat", 1), ("boarding_pass", 1)]
    assert dict(report["resolution"]["gave_up"]["checkin"]) == {"started": 2, "identified": 0, "seat": 0}
    assert dict(report["resolution"]["gave_up"]["query"]) == {"asked": 1, "bound": 0}
    # needs: 4 faq + 7 query + 2 fault + 3 check-in = 16; resolved: 4 + 6 + 2 + 1 = 13
    assert (report["resolution"]["with_need"], report["resolution"]["resolved"]) == (16, 13)
    assert report["resolution"]["fcr"] == pytest.approx(13 / 16)
    assert report["trend"]["conversations"][DAY1.day - 1] == 20
    assert report["by_hour"]["conversations"][23] == 1 and report["by_hour"]["conversations"][18] == 3


def test_a_follower_back_with_the_same_need_within_24_hours_is_not_first_contact_resolution(summaries, tracker_db) -> None:
    summaries.refresh()
    _, add = tracker_db
    add([("f-back", "faq", china(2026, 11, 11, 8)),        # 10 h after f-back's first question: same need
         ("f-q-1", "faq", china(2026, 11, 11, 9)),         # another need: f-q-1's query stays resolved
         ("f-faq-1", "faq", china(2026, 11, 12, 10))])     # more than 24 h later: a new contact
    result = summaries.refresh()
    assert set(result.days) == {DAY1, DAY2, date(2026, 11, 12)}    # only the touched days and the day before
    report = build_report(summaries.console, PERIOD)
    assert report["resolution"]["with_need"] == 19
    assert report["resolution"]["resolved_not_back"] == 13 - 1 + 3
    day1 = build_report(summaries.console, Period(DAY1, DAY1))
    assert day1["resolution"]["fcr"] == pytest.approx(12 / 16)


def test_refresh_reads_only_new_events(summaries: DailySummaries) -> None:
    first = summaries.refresh()
    assert first.days == (date(2026, 11, 9), DAY1) and first.conversations == 20
    assert summaries.refresh().days == ()


def test_new_events_find_their_day_in_a_zone_with_a_half_hour_offset(tracker_db, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment in India (+05:30): a conversation at 00:10 local time (18:40 UTC the day before) is on its day."""
    monkeypatch.setenv("BOT_TIMEZONE", "Asia/Kolkata")
    url, add = tracker_db
    summaries = DailySummaries(f"sqlite:///{tmp_path / 'console.db'}", url)
    add([("f-in-1", "faq", china(2026, 11, 10, 9))])          # china(): wall-clock time in the service zone
    assert summaries.refresh().days == (date(2026, 11, 9), DAY1)
    add([("f-in-2", "faq", china(2026, 11, 12, 0, 10))])
    with summaries.console.begin() as conn:
        conn.execute(insert(t.reply_latency), [{"received_at": china(2026, 11, 13, 0, 5), "seconds": 0.4, "delivery": "passive"}])
    assert summaries.refresh().days == (DAY2, date(2026, 11, 12), date(2026, 11, 13))
    assert build_report(summaries.console, Period(date(2026, 11, 12), date(2026, 11, 12)))["scale"]["conversations"] == 1


def test_ratings_and_survey_answers(summaries, tracker_db, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.backends
    from bot.backends.sql.surveys import SqlSurveyStore
    from bot.backends.surveys import REPAIR, STARS_SCALE

    store = SqlSurveyStore(database_url)
    monkeypatch.setattr(bot.backends, "get_surveys", lambda: store)
    # three surveys asked in November (two answered, one of them satisfied), one in October that must not count
    for ticket, asked, score in (("T1", datetime(2026, 11, 12, 9), 5), ("T2", datetime(2026, 11, 12, 10), 2),
                                 ("T3", datetime(2026, 11, 30, 23, 50), None), ("T0", datetime(2026, 10, 31, 23), 5)):
        survey = store.ask(REPAIR, ticket, f"f-{ticket}", asked)
        if score is not None:
            assert store.answer(survey.survey_id, f"f-{ticket}", STARS_SCALE, score, None, asked + timedelta(minutes=5))
    _, add = tracker_db
    add([("f-fault-1", "low_rating", china(2026, 11, 12, 9)), ("f-fault-2", "good_rating", china(2026, 11, 12, 10))])
    summaries.refresh()
    satisfaction = build_report(summaries.console, PERIOD)["satisfaction"]
    assert satisfaction["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert satisfaction["satisfied"] == pytest.approx(0.5)
    assert satisfaction["response_rate"] == pytest.approx(1.0)   # 2 ratings for 2 tickets created
    assert satisfaction["survey"] == {"answers": 2, "satisfied": pytest.approx(0.5), "response_rate": pytest.approx(2 / 3)}
    with summaries.console.connect() as conn:
        low = conn.execute(select(t.conversations.c.sender_id).where(t.conversations.c.rating <= d.LOW_RATING)).scalars().all()
    assert low == ["f-fault-1"]


def test_out_of_hours_handoff_is_a_call_back_offer_not_a_handover(summaries, tracker_db) -> None:
    _, add = tracker_db
    add([("f-night", "out_of_hours", china(2026, 11, 12, 23))])
    summaries.refresh()
    report = build_report(summaries.console, Period(date(2026, 11, 12), date(2026, 11, 12)))
    assert report["automation"]["handoffs"]["out_of_hours"] == 1
    assert report["automation"]["containment"] == 1.0


def test_service_level_from_the_channels_latency_rows(summaries: DailySummaries) -> None:
    start = china(2026, 11, 10, 12)
    rows = [{"received_at": start + i, "seconds": i / 100, "delivery": "passive"} for i in range(1, 97)]
    rows += [{"received_at": start + 200 + i, "seconds": 4.5, "delivery": "late"} for i in range(3)]
    rows += [{"received_at": start + 300, "seconds": None, "delivery": "lost"}]
    with summaries.console.begin() as conn:
        conn.execute(insert(t.reply_latency), rows)
    summaries.refresh()
    service = build_report(summaries.console, PERIOD)["service"]
    assert 500 <= service["p50"] <= 510
    assert 950 <= service["p95"] <= 960
    assert 4500 <= service["p99"] <= 4510
    assert service["passive"] == pytest.approx(0.96) and service["late"] == pytest.approx(0.03) and service["lost"] == 1


def test_every_name_the_figures_rely_on_is_in_the_domain_and_every_figure_is_defined() -> None:
    responses = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        responses |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    used = (d.FALLBACK_RESPONSES | d.QUERY_ANSWERS | set(d.FAULT_OUTCOMES) | d.CHECKIN_IDENTIFIED | d.CHECKIN_SEAT
            | d.CHECKIN_PASS | d.TICKET_CREATED | {d.HANDED_OVER, d.OUT_OF_HOURS, d.CALLBACK_RECORDED, d.RATING_SAVED, d.BIND_SUCCESS})
    assert used - responses == set()
    assert {f"utter_faq/{entry}" for entry in ["营业厅营业时间"]} <= responses
    figures = labels()["figures"]
    assert all(figures[key]["label"] and figures[key]["definition"] for key in figures)
    assert set(d.HANDOFF_REASONS) == set(labels()["reasons"])


def test_a_handoff_counts_under_the_reason_recorded_with_it_not_todays_keywords() -> None:
    import json

    from bot.console.report.conversations import ConversationReader
    from bot.handoff import load_handoff_rules

    def handoff_reasons(recorded: Optional[str]) -> List[str]:
        at = china(2026, 11, 10, 9)
        metadata = {"utter_action": d.HANDED_OVER, **({d.HANDOFF_REASON_KEY: recorded} if recorded else {})}
        rows = [(1, "f-r", "session_started", at, None, None, "{}"),
                (2, "f-r", "user", at + 1, "human_handoff", None,
                 json.dumps({"text": "投诉一下这个师傅", "input_channel": "rest", "parse_data": {"intent": {"name": "human_handoff"}}})),
                (3, "f-r", "action", at + 2, None, "action_handoff", "{}"),
                (4, "f-r", "bot", at + 2, None, None, json.dumps({"metadata": metadata}))]
        (conversation,) = ConversationReader(load_handoff_rules()).read(rows)
        return conversation.handoff_reasons

    assert handoff_reasons(None) == [d.REASON_COMPLAINT]             # judged from the text with today's keywords
    assert handoff_reasons(d.REASON_KEYWORD) == [d.REASON_KEYWORD]   # as it was judged when it happened
