"""Followers are told China time on a server whose own zone is elsewhere (issue 10): lockouts, service hours, halls."""
import json
import uuid
from datetime import datetime
from typing import List
from zoneinfo import ZoneInfo

import pytest

from actions.binding import ValidateBindAccountForm
from actions.handoff import ActionHandoff
from actions.service_halls import OPEN_STATE, ActionFindServiceHall
from bot import clock
from bot.clock import now as real_clock_now   # captured before the autouse fixture pins bot.clock.now
from bot.verification import COOL_OFF
from tests.actions.conftest import Run, domain_responses, last_sms_code, make_tracker, run, validate

FORM = ValidateBindAccountForm()
OPEN, CLOSED = (domain_responses()[OPEN_STATE[state]][0]["text"] for state in (True, False))   # （营业中） / （已打烊）


def china_wall_clock() -> datetime:
    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


def said(result: Run) -> str:
    """Everything the action sent, whether as composed text or as values for a domain response."""
    return json.dumps(result.messages, ensure_ascii=False)


def hall_entry(text: str, hall: str) -> str:
    return text.split(hall, 1)[1].split("排队", 1)[0]


def lock_out(mobile: str) -> Run:
    follower = f"o-tz-{uuid.uuid4().hex[:8]}"
    validate(FORM, "phone_number", mobile, make_tracker(follower))
    wrong = "000000" if last_sms_code(mobile) != "000000" else "111111"
    tracker = make_tracker(follower, slots={"phone_number": mobile})
    return [validate(FORM, "verification_code", wrong, tracker) for _ in range(3)][-1]


def test_binding_lockout_ends_at_a_china_time(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", real_clock_now)
    before = china_wall_clock()
    text = said(lock_out("18812340004"))
    after = china_wall_clock()
    assert any(f"{moment + COOL_OFF:%H:%M}" in text for moment in (before, after))
    assert f"{datetime.now() + COOL_OFF:%H:%M}" not in text   # not the machine's own clock


def test_binding_lockout_follows_the_bot_clock(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 2, 38))
    assert "02:48" in said(lock_out("18912340005"))


@pytest.mark.parametrize("moment, agents_on_duty", [(datetime(2026, 11, 24, 2, 38), False),
                                                    (datetime(2026, 11, 24, 10, 0), True),
                                                    (datetime(2026, 11, 24, 21, 30), False)])
def test_handoff_judges_service_hours_in_china_time(moment: datetime, agents_on_duty: bool, machine_zone: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)
    result = run(ActionHandoff(), make_tracker(text="转人工"))
    assert ({"handoff": True} in [m.get("custom") for m in result.messages]) is agents_on_duty


def halls_of(district: str) -> str:
    return said(run(ActionFindServiceHall(), make_tracker(entities=[{"entity": "district", "value": district}])))


def halls_near(latitude: float, longitude: float) -> str:
    entities: List[dict] = [{"entity": "latitude", "value": latitude}, {"entity": "longitude", "value": longitude}]
    return said(run(ActionFindServiceHall(), make_tracker(intent="share_location", entities=entities)))


def test_halls_are_closed_at_night_china_time(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 2, 38))
    text = halls_of("天河区")
    assert text.count(CLOSED) == 3 and OPEN not in text


def test_each_hall_opens_at_its_own_hour(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 9, 30))
    text = halls_near(23.1723, 113.2645)   # at 白云万达 (10:00-22:00); 北京路 (09:00-21:00) is among the nearest
    assert CLOSED in hall_entry(text, "白云万达营业厅") and OPEN in hall_entry(text, "北京路营业厅")


def test_hall_state_on_the_real_clock_is_china_time(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", real_clock_now)
    expected = OPEN if 9 <= china_wall_clock().hour < 21 else CLOSED   # 天河城营业厅: 09:00-21:00
    assert expected in hall_entry(halls_of("天河区"), "天河城营业厅")
