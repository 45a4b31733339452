"""Campaigns against the stand-in's fake API: claimed before sending, so a run killed halfway and run again,
or two runners at once, send each follower its message once; a dry run sends and claims nothing; WeChat's daily
quota stops the run and a later run sends the rest."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import List

import pytest

from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.outbound.wechat_api import OutboundApi
from bot.wechat_sim.api import FakeWeChatApi
from tests.outbound.conftest import NOW, chatted, deliverer, outage_message, wired_runner

FOLLOWERS = [f"o-{i:02d}" for i in range(12)]


def _messages() -> List:
    return [outage_message(openid) for openid in FOLLOWERS]


def _sends_per_follower(api: FakeWeChatApi) -> Counter:
    return Counter(m["openid"] for m in api.state.inbox)


class Killed(BaseException):
    """The process dying mid-run (not an Exception: nothing in the runner may catch it)."""


class DyingApi(OutboundApi):
    """Delivers `alive` template messages, then dies right after WeChat accepted the next one (before it is settled)."""

    def __init__(self, inner: OutboundApi, alive: int) -> None:
        self.__dict__.update(inner.__dict__)
        self.left = alive

    def send_template(self, body):  # type: ignore[no-untyped-def]
        answer = super().send_template(body)
        if self.left == 0:
            raise Killed()
        self.left -= 1
        return answer


def test_a_campaign_killed_halfway_and_run_again_sends_nobody_twice(api: FakeWeChatApi, db: str) -> None:
    first = deliverer(api, db)
    first._api = DyingApi(first._api, alive=5)
    with pytest.raises(Killed):
        wired_runner(api, db, first).runner.run("outage-1-announce", _messages())
    assert len(api.state.inbox) == 6   # five settled, the sixth sent but never recorded as sent

    summary = wired_runner(api, db).runner.run("outage-1-announce", _messages())
    assert (summary.sent, summary.already) == (6, 6)
    assert set(_sends_per_follower(api).values()) == {1} and len(_sends_per_follower(api)) == 12
    records = SqlDeliveryLog(db).deliveries("outage-1-announce")
    assert Counter(r.status for r in records) == {"sent": 11, "claimed": 1}   # the one in doubt is not sent again

    again = wired_runner(api, db).runner.run("outage-1-announce", _messages())
    assert (again.sent, again.already) == (0, 12) and len(api.state.inbox) == 12


def test_two_runners_at_once_send_each_follower_once(api: FakeWeChatApi, db: str) -> None:
    summaries = []
    start = threading.Barrier(2)

    def run() -> None:
        wired = wired_runner(api, db)
        start.wait()
        summaries.append(wired.runner.run("bill-2026-11", _messages()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert _sends_per_follower(api) == Counter({openid: 1 for openid in FOLLOWERS})
    assert sum(s.sent for s in summaries) == 12 and sum(s.already for s in summaries) == 12


def test_the_same_occasion_is_not_sent_again_under_another_campaign_id(api: FakeWeChatApi, db: str) -> None:
    wired_runner(api, db).runner.run("outage-1-announce", _messages()[:3])
    summary = wired_runner(api, db).runner.run("outage-notices-2026-11-24", _messages()[:3])
    assert summary.sent == 0 and summary.skipped == 3 and len(api.state.inbox) == 3
    assert all(r.reason == "sent_in_campaign outage-1-announce" for r in SqlDeliveryLog(db).deliveries("outage-notices-2026-11-24"))


def test_a_dry_run_shows_who_would_get_what_and_claims_nothing(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-00", timedelta(hours=2))
    wired = wired_runner(api, db)
    summary = wired.runner.run("outage-1-announce", _messages()[:2] + [outage_message("o-no", consented=False)], dry_run=True)
    shown = wired.out.getvalue().splitlines()
    assert shown[0].startswith("o-00  outage_notice  customer-service text: 【宽带故障通知】")
    assert shown[1].startswith("o-01  outage_notice  template dev-outage-notice: thing1=荔湾区 | time2=2026-11-25 18:00")
    assert shown[2] == "o-no  outage_notice  skipped: no_template_consent"
    assert (summary.sent, summary.skipped) == (2, 1) and summary.dry_run
    assert api.state.counters == {"token": 0, "send": 0, "typing": 0, "template": 0}
    assert SqlDeliveryLog(db).deliveries("outage-1-announce") == []


def test_on_sent_hears_of_each_message_wechat_accepted_and_nothing_else(api: FakeWeChatApi, db: str) -> None:
    """A source records what the follower really got (a survey is asked when sent): not what a dry run showed,
    nor what was skipped, failed or already handled; a failing record does not stop the run."""
    chatted(api, db, "o-00")
    api.state.fail_openids["o-01"] = 43004
    messages = _messages()[:3] + [outage_message("o-no", consented=False)]
    heard: List[str] = []
    wired_runner(api, db).runner.run("outage-1-announce", messages, dry_run=True, on_sent=lambda m, at: heard.append(m.openid))
    assert heard == []

    def record(message, at: datetime) -> None:  # type: ignore[no-untyped-def]
        heard.append(message.openid)
        assert at == NOW
        raise RuntimeError("the source's back end is down")

    summary = wired_runner(api, db).runner.run("outage-1-announce", messages, on_sent=record)
    assert heard == ["o-00", "o-02"] and (summary.sent, summary.failed, summary.skipped) == (2, 1, 1)
    wired_runner(api, db).runner.run("outage-1-announce", messages, on_sent=record)
    assert heard == ["o-00", "o-02"]   # already handled: not heard again


def test_the_daily_quota_stops_the_run_and_a_later_run_sends_the_rest(api: FakeWeChatApi, db: str) -> None:
    api.state.fail_openids["o-04"] = 45009
    wired = wired_runner(api, db)
    summary = wired.runner.run("bill-2026-11", _messages())
    assert summary.stopped and "45009" in summary.stopped and (summary.sent, summary.failed) == (4, 1)
    assert "STOPPED" in "\n".join(summary.lines()) and "5/12" in wired.progress.getvalue()

    del api.state.fail_openids["o-04"]   # the next day
    later = wired_runner(api, db).runner.run("bill-2026-11", _messages())
    assert (later.sent, later.already, later.stopped) == (8, 4, None)
    assert _sends_per_follower(api) == Counter({openid: 1 for openid in FOLLOWERS})


def test_the_rate_limit_spaces_the_sends(api: FakeWeChatApi, db: str) -> None:
    from bot.outbound.campaign import RateLimiter

    clock = [0.0]
    slept: List[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(4.0, sleep=sleep, monotonic=lambda: clock[0])
    for _ in range(5):
        limiter.wait()
    assert clock[0] == pytest.approx(1.0) and len(slept) == 4


def test_the_progress_bar_and_summary_tell_the_operator_what_happened(api: FakeWeChatApi, db: str) -> None:
    api.state.fail_openids["o-01"] = 43004
    wired = wired_runner(api, db)
    summary = wired.runner.run("outage-1-announce", _messages()[:3])
    assert "[" + "#" * 30 + "] 3/3  sent 2  skipped 0  failed 1" in wired.progress.getvalue()
    assert summary.lines()[0] == "campaign outage-1-announce: 3 due, 2 sent, 0 skipped, 1 failed, 0 already handled"
    assert "  failed: not_following (43004): 1" in summary.lines()


def test_unfollowing_erases_the_outbound_records_of_the_follower(api: FakeWeChatApi, db: str) -> None:
    import asyncio

    from bot.backends.sql.interactions import SqlInteractionLog
    from bot.erasure import backend_erasers

    chatted(api, db, "o-00", timedelta(days=3))
    wired_runner(api, db).runner.run("outage-1-announce", _messages()[:2])
    assert asyncio.run(backend_erasers()["outbound"]("o-00", datetime(2026, 12, 1))) == 2   # the interaction row and the delivery
    assert SqlInteractionLog(db).latest("o-00") is None
    assert [r.openid for r in SqlDeliveryLog(db).deliveries("outage-1-announce")] == ["o-01"]
