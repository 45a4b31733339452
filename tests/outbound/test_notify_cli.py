"""`python -m bot notify …` as an operator uses it: announce, restore, run, campaign status; bad input gets one
clear line and exit code 2, never a traceback, and nothing is recorded or sent."""
from __future__ import annotations

import pytest

from bot import clock
from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.backends.sql.outages import SqlOutageBoard
from bot.backends.sql.repairs import SqlRepairDesk
from bot.cli import main
from bot.wechat_sim.api import FakeWeChatApi
from tests.outbound.conftest import NOW, MemoryConsent, bind


@pytest.fixture(autouse=True)
def operator(api: FakeWeChatApi, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line pointed at the test database and the stand-in's API, at the demo data's time."""
    monkeypatch.setenv("WECHAT_API_BASE_URL", api.base_url)
    monkeypatch.setenv("WECHAT_APP_ID", "wxapp")
    monkeypatch.setenv("WECHAT_APP_SECRET", "secret")
    monkeypatch.delenv("WECHAT_REDIS_URL", raising=False)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    # The SQL consent registry comes with the reminders; until then the CLI's sources get an in-memory one.
    monkeypatch.setattr("bot.backends.get_consent", lambda: MemoryConsent())


@pytest.mark.parametrize("argv, says", [
    (["notify", "outage", "announce", "--area", "火星区", "--until", "2026-11-25 18:00", "--cause", "光缆抢修"], "unknown area '火星区'"),
    (["notify", "outage", "announce", "--area", "荔湾区", "--until", "明天六点", "--cause", "光缆抢修"], 'is not a time like "2026-11-25 18:00"'),
    (["notify", "outage", "announce", "--area", "荔湾区", "--until", "2026-11-22 18:00", "--cause", "光缆抢修"], "is not in the future"),
    (["notify", "outage", "announce", "--area", "荔湾区", "--until", "2026-11-25 18:00", "--cause", "光" * 21], "1–20 characters"),
    (["notify", "outage", "restore", "77"], "unknown outage 77"),
    (["notify", "run", "horoscopes"], "unknown source 'horoscopes'"),
    (["notify", "campaign", "status", "bill-1999-01"], "unknown campaign 'bill-1999-01'"),
], ids=["unknown-area", "bad-time", "past-time", "long-cause", "unknown-outage", "unknown-source", "unknown-campaign"])
def test_bad_input_exits_2_with_one_clear_line(argv: list, says: str, api: FakeWeChatApi, db: str,
                                               capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and "Traceback" not in err
    assert SqlOutageBoard(db).active() == [] and api.state.inbox == []


def test_announce_then_restore_then_status(api: FakeWeChatApi, db: str, capsys: pytest.CaptureFixture) -> None:
    bind(db, "o-yang", "18812340004")   # 荔湾区
    assert main(["notify", "outage", "announce", "--area", "荔湾区", "--until", "2026-11-25 18:00", "--cause", "光缆抢修"]) == 0
    out = capsys.readouterr().out
    assert "outage 1: 荔湾区, until 2026-11-25 18:00" in out and "campaign outage-1-announce: 1 due, 1 sent" in out
    assert [m["openid"] for m in api.state.inbox] == ["o-yang"]

    SqlRepairDesk(db).subscribe_restore_notice(SqlOutageBoard(db).lines_in("荔湾区")[0].line_id, "o-yang")
    assert main(["notify", "outage", "restore", "1", "--dry-run"]) == 0
    assert "o-yang  restore_notice  template dev-restore-notice" in capsys.readouterr().out and len(api.state.inbox) == 1
    assert main(["notify", "outage", "restore", "1"]) == 0
    assert "campaign outage-1-restore: 1 due, 1 sent" in capsys.readouterr().out
    assert main(["notify", "outage", "restore", "1"]) == 0   # again: nobody left to tell
    assert "0 due" in capsys.readouterr().out and len(api.state.inbox) == 2

    assert main(["notify", "campaign", "status", "outage-1-announce"]) == 0
    status = capsys.readouterr().out
    assert "1 deliveries" in status and "sent     template" in status and "template awaiting result: 1" in status


def test_run_names_the_campaign_after_the_period_so_a_second_run_sends_nothing(api: FakeWeChatApi, db: str,
                                                                                capsys: pytest.CaptureFixture) -> None:
    bind(db, "o-yang", "18812340004")
    SqlOutageBoard(db).announce("荔湾区", NOW.replace(day=25, hour=18), "光缆抢修", NOW)
    assert main(["notify", "run", "outage-notices"]) == 0
    assert main(["notify", "run", "outage-notices"]) == 0
    out = capsys.readouterr().out
    assert "campaign outage-notices-2026-11-23: 1 due, 1 sent" in out and "1 already handled" in out
    assert len(api.state.inbox) == 1 and len(SqlDeliveryLog(db).deliveries("outage-notices-2026-11-23")) == 1


def test_a_run_wechat_stops_exits_3(api: FakeWeChatApi, db: str, capsys: pytest.CaptureFixture) -> None:
    bind(db, "o-yang", "18812340004")
    api.state.failures["template"] = 45009
    assert main(["notify", "outage", "announce", "--area", "荔湾区", "--until", "2026-11-25 18:00", "--cause", "光缆抢修"]) == 3
    assert "STOPPED: WeChat answered 45009 (daily_quota)" in capsys.readouterr().out
