"""Outage and restore notices: announcing an outage makes the diagnosis answer it (no ticket) and tells every
bound follower with a line there who has not opted out; restoring it tells exactly the followers who asked."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.backends.consent import OUTAGE_NOTICES
from bot.backends.diagnostics import AREA_OUTAGE
from bot.backends.outages import UnknownArea, UnknownOutage
from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.backends.sql.diagnostics import StubLineDiagnostics
from bot.backends.sql.outages import SqlOutageBoard
from bot.backends.sql.repairs import SqlRepairDesk
from bot.outbound.notices import OutageNoticeSource, RestoreNoticeSource
from bot.outbound.sources import load_source
from bot.wechat_sim.api import FakeWeChatApi
from tests.outbound.conftest import NOW, MemoryConsent, bind, wired_runner

UNTIL = datetime(2026, 11, 25, 18, 0)
# 荔湾区 lines belong to customers 6 (杨磊), 11 and 13; 天河区 to 1 (张伟, two lines) and 17.
LIWAN_MOBILE = "18812340004"


def _line(db: str, mobile: str):  # type: ignore[no-untyped-def]
    crm = SqlCrm(db)
    return crm.broadband_lines(crm.customer_by_mobile(mobile).customer_id)[0]


def _customer_mobile(db: str, customer_id: int) -> str:
    return SqlCrm(db).customer_by_id(customer_id).mobile


def test_announcing_an_outage_turns_the_diagnosis_into_the_outage_answer(db: str) -> None:
    line = _line(db, "13800138000")   # 张伟's first line: nothing found until now
    diagnostics = StubLineDiagnostics(db)
    assert diagnostics.diagnose(line).finding == "no_fault"
    outage = SqlOutageBoard(db).announce("天河区", UNTIL, "光缆抢修", NOW)
    assert diagnostics.diagnose(line) == diagnostics.diagnose(line).__class__(AREA_OUTAGE, UNTIL)
    SqlOutageBoard(db).restore(outage.outage_id, NOW + timedelta(hours=5))
    assert diagnostics.diagnose(line).finding == "no_fault"


def test_announcing_again_updates_the_active_outage_of_the_area(db: str) -> None:
    board = SqlOutageBoard(db)
    first = board.announce("天河区", UNTIL, "光缆抢修", NOW)
    second = board.announce("天河区", UNTIL + timedelta(hours=2), "设备更换", NOW)
    assert second.outage_id == first.outage_id and board.get(first.outage_id).cause == "设备更换"
    assert [o.outage_id for o in board.active()] == [first.outage_id]


def test_an_address_prefix_is_an_area_too_and_an_unknown_area_is_refused(db: str) -> None:
    board = SqlOutageBoard(db)
    assert [line.account for line in board.lines_in("广州市天河区体育西路")] == ["02000000099"]
    with pytest.raises(UnknownArea):
        board.announce("火星区", UNTIL, "光缆抢修", NOW)
    with pytest.raises(UnknownOutage):
        board.restore(999, NOW)


def test_outage_notices_reach_bound_followers_in_the_area_except_those_who_opted_out(db: str) -> None:
    board = SqlOutageBoard(db)
    liwan = [line.customer_id for line in board.lines_in("荔湾区")]
    bind(db, "o-yang", LIWAN_MOBILE)
    bind(db, "o-second", _customer_mobile(db, liwan[1]))
    bind(db, "o-out", _customer_mobile(db, liwan[2]))
    bind(db, "o-tianhe", "13800138000")
    consent = MemoryConsent()
    consent.record("o-out", OUTAGE_NOTICES, False, NOW - timedelta(days=1))
    consent.record("o-second", OUTAGE_NOTICES, True, NOW - timedelta(days=1))
    outage = board.announce("荔湾区", UNTIL, "光缆抢修", NOW)
    messages = list(OutageNoticeSource(outage.outage_id, consent=consent).due_messages(NOW))
    assert sorted(m.openid for m in messages) == ["o-second", "o-yang"]
    message = messages[0]
    assert message.template_fields == {"area": "荔湾区", "cause": "光缆抢修", "until": "2026-11-25 18:00"}
    assert message.values["restore_time"] == "18:00" and message.template_consented


def test_a_follower_with_two_lines_in_the_area_is_told_once(db: str) -> None:
    bind(db, "o-zhang", "13800138000")   # two lines in 天河区
    outage = SqlOutageBoard(db).announce("天河区", UNTIL, "光缆抢修", NOW)
    assert [m.openid for m in OutageNoticeSource(outage.outage_id, consent=MemoryConsent()).due_messages(NOW)] == ["o-zhang"]


def test_restore_notices_reach_exactly_the_followers_who_asked(api: FakeWeChatApi, db: str) -> None:
    board, desk = SqlOutageBoard(db), SqlRepairDesk(db)
    liwan = board.lines_in("荔湾区")
    desk.subscribe_restore_notice(liwan[0].line_id, "o-asked")
    desk.subscribe_restore_notice(liwan[2].line_id, "o-asked-too")
    desk.subscribe_restore_notice(_line(db, "13800138000").line_id, "o-other-area")
    bind(db, "o-bound-not-asked", _customer_mobile(db, liwan[1].customer_id))
    outage = board.announce("荔湾区", UNTIL, "光缆抢修", NOW)
    assert list(RestoreNoticeSource(outage.outage_id).due_messages(NOW)) == []   # not restored yet

    board.restore(outage.outage_id, datetime(2026, 11, 25, 16, 30))
    source = RestoreNoticeSource(outage.outage_id)
    summary = wired_runner(api, db).runner.run(f"outage-{outage.outage_id}-restore", source.due_messages(NOW))
    assert summary.sent == 2
    assert sorted(m["openid"] for m in api.state.inbox) == ["o-asked", "o-asked-too"]
    assert api.state.template_sends("o-asked")[0]["data"] == {"thing1": {"value": "荔湾区"}, "time2": {"value": "2026-11-25 16:30"}}

    # Answered requests are done: the next run (of any campaign) has nobody left to tell.
    assert source.after_campaign(SqlDeliveryLog(db).deliveries(f"outage-{outage.outage_id}-restore")) == 2
    assert list(RestoreNoticeSource().due_messages(NOW)) == []
    assert desk.restore_notice_requests([_line(db, "13800138000").line_id]) == [(_line(db, "13800138000").line_id, "o-other-area")]


def test_a_request_on_a_line_inside_another_active_outage_waits_for_that_one(db: str) -> None:
    board, desk = SqlOutageBoard(db), SqlRepairDesk(db)
    street = board.lines_in("广州市天河区体育西路")[0]
    desk.subscribe_restore_notice(street.line_id, "o-street")
    district = board.announce("天河区", UNTIL, "光缆抢修", NOW)
    board.announce("广州市天河区体育西路", UNTIL + timedelta(days=1), "管道施工", NOW)
    board.restore(district.outage_id, NOW + timedelta(hours=3))
    assert list(RestoreNoticeSource(district.outage_id).due_messages(NOW)) == []


def test_sources_are_registered_by_name_and_built_without_arguments(db: str) -> None:
    assert isinstance(load_source("restore-notices"), RestoreNoticeSource)
    with pytest.raises(KeyError):
        load_source("nope")
