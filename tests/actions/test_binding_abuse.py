"""The binding form against abuse (issue 12): SMS bombing, guessing codes across re-binding and followers, typed forms."""
import threading
import uuid
from datetime import datetime, timedelta
from typing import List

import pytest

from actions.binding import LOCKED_SLOT_VALUE, VERIFIED_SLOT_VALUE, ValidateBindAccountForm
from bot import clock
from bot.backends import get_crm, get_verification
from tests.actions.conftest import Run, domain_responses, last_sms_code, make_tracker, sms_inbox, validate
from tests.conftest import FIXED_NOW

FORM = ValidateBindAccountForm()
FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def openid() -> str:
    return f"o-abuse-{uuid.uuid4().hex[:8]}"


def sms_to(mobile: str) -> List[str]:
    return [item["text"] for item in sms_inbox() if item["mobile"] == mobile]


def wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


class MovingClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = FIXED_NOW
        monkeypatch.setattr(clock, "now", lambda: self.moment)

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def ask_code(follower: str, mobile: str) -> Run:
    return validate(FORM, "phone_number", mobile, make_tracker(follower))


def type_code(follower: str, mobile: str, code: str) -> Run:
    return validate(FORM, "verification_code", code, make_tracker(follower, slots={"phone_number": mobile}))


@pytest.mark.parametrize("typed", ["+86 137 1234 0001", "0086-137-1234-0001", "137 1234 0001", "137-1234-0001",
                                   "１３７１２３４０００１", "＋８６　１３７１２３４０００１", "我的号码是 +86 13712340001"])
def test_numbers_typed_with_spaces_dashes_prefix_or_full_width_are_accepted(typed: str) -> None:
    result = ask_code(openid(), typed)
    assert result.slot("phone_number") == "13712340001" and result.messages == []
    assert len(sms_to("13712340001")) == 1


def test_a_full_width_number_of_the_wrong_length_is_explained() -> None:
    result = ask_code(openid(), "１３７１２３４")
    assert result.slot("phone_number") is None and result.values("utter_phone_wrong_length")["length"] == 7


def test_the_right_code_typed_in_full_width_digits_binds() -> None:
    follower = openid()
    ask_code(follower, "13612340002")
    result = type_code(follower, "13612340002", last_sms_code("13612340002").translate(FULL_WIDTH))
    assert result.slot("verification_code") == VERIFIED_SLOT_VALUE
    assert get_crm().customer_for_openid(follower).mobile == "13612340002"


def test_the_sms_is_the_domain_template_with_the_code_and_minutes() -> None:
    ask_code(openid(), "13612340002")
    (sms,) = sms_to("13612340002")
    template = domain_responses()["utter_sms_bind_code"][0]["text"]
    assert sms == template.replace("{code}", last_sms_code("13612340002")).replace("{minutes}", "5")


def test_one_follower_alternating_numbers_gets_three_codes_to_each_then_a_polite_limit() -> None:
    follower = openid()
    results = [ask_code(follower, mobile) for mobile in ["13800138000", "13912345678"] * 5]
    assert len(sms_to("13800138000")) == 3 and len(sms_to("13912345678")) == 3
    limited = results[6]
    assert limited.responses == ["utter_code_limit_reached"] and limited.slot("verification_code") == LOCKED_SLOT_VALUE
    assert limited.values("utter_code_limit_reached")["until"] == "11月23日 11:00"   # China time, an hour after the first
    assert "11月23日 11:00（北京时间）之后再试" in limited.text


def test_five_followers_asking_codes_for_one_number_at_once_send_three(monkeypatch: pytest.MonkeyPatch) -> None:
    get_verification()   # built once before the threads, as the action server has it before requests
    start = threading.Barrier(5)
    results: List[Run] = []

    def one() -> None:
        start.wait()
        results.append(ask_code(openid(), "15012340006"))

    threads = [threading.Thread(target=one) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(sms_to("15012340006")) == 3
    assert sorted(r.responses for r in results) == [[], [], [], ["utter_code_limit_reached"], ["utter_code_limit_reached"]]


def test_asking_a_new_code_does_not_reset_the_wrong_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    moving = MovingClock(monkeypatch)
    follower, mobile = openid(), "13712340001"
    ask_code(follower, mobile)
    bad = wrong(last_sms_code(mobile))
    assert [type_code(follower, mobile, bad).values("utter_code_wrong")["tries_left"] for _ in range(2)] == [2, 1]
    moving.advance(minutes=2)
    assert ask_code(follower, mobile).messages == [] and len(sms_to(mobile)) == 2   # binding started again: new code
    third = type_code(follower, mobile, wrong(last_sms_code(mobile)))
    assert third.responses == ["utter_bind_locked"] and third.slot("verification_code") == LOCKED_SLOT_VALUE
    again = ask_code(follower, mobile)
    assert again.responses == ["utter_bind_locked"] and len(sms_to(mobile)) == 2   # locked: no new code either


def test_wrong_codes_from_several_followers_lock_the_number_for_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    moving = MovingClock(monkeypatch)
    mobile, first, second = "18812340004", openid(), openid()
    ask_code(first, mobile)
    tries = [type_code(first, mobile, wrong(last_sms_code(mobile))) for _ in range(3)]
    assert tries[-1].responses == ["utter_bind_locked"]   # the first follower is locked out...
    moving.advance(minutes=1)
    assert ask_code(second, mobile).messages == []        # ...which alone does not stop another follower
    bad = wrong(last_sms_code(mobile))
    assert type_code(second, mobile, bad).values("utter_code_wrong")["tries_left"] == 1   # the number's fifth would lock
    locked = type_code(second, mobile, bad)
    assert locked.responses == ["utter_bind_number_locked"] and locked.slot("verification_code") == LOCKED_SLOT_VALUE
    assert locked.values("utter_bind_number_locked")["until"] == "11月23日 11:01"
    third = ask_code(openid(), mobile)
    assert third.responses == ["utter_bind_number_locked"] and third.slot("verification_code") == LOCKED_SLOT_VALUE
    assert len(sms_to(mobile)) == 2 and "11月23日 11:01（北京时间）之后再试" in third.text
    moving.moment = datetime(2026, 11, 23, 11, 1)
    assert ask_code(openid(), mobile).messages == [] and len(sms_to(mobile)) == 3   # an hour later it may bind again


def test_an_expired_code_is_not_sent_again_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    moving = MovingClock(monkeypatch)
    follower, mobile = openid(), "13612340002"
    ask_code(follower, mobile)
    old = last_sms_code(mobile)
    ask_code(openid(), mobile), ask_code(openid(), mobile)   # the number's three codes of the hour
    moving.advance(minutes=6)
    result = type_code(follower, mobile, old)
    assert result.responses == ["utter_code_limit_reached"] and result.slot("verification_code") == LOCKED_SLOT_VALUE
    assert len(sms_to(mobile)) == 3 and get_crm().customer_for_openid(follower) is None
