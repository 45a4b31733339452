import uuid

import pytest

from actions.binding import (
    LOCKED_SLOT_VALUE,
    VERIFIED_SLOT_VALUE,
    ActionAskVerificationCode,
    ActionBindAccount,
    ActionShowBinding,
    ActionUnbindAccount,
    ValidateBindAccountForm,
)
from bot.backends import get_crm
from tests.actions.conftest import bind, last_sms_code, make_tracker, run, sms_inbox, validate

FORM = ValidateBindAccountForm()


def openid() -> str:
    return f"o-bind-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("text, expected", [("12345", "5位"), ("138001380001", "12位"), ("23800138000", "中国大陆的手机号码"),
                                            ("我不知道", "中国大陆的手机号码")])
def test_invalid_phone_numbers_are_explained(text: str, expected: str) -> None:
    result = validate(FORM, "phone_number", text, make_tracker(text=text))
    assert result.slot("phone_number") is None and expected in result.text


def test_a_number_that_is_not_a_customer_is_answered_like_a_customers_but_gets_no_sms() -> None:
    stranger = validate(FORM, "phone_number", "13000000000", make_tracker(openid()))
    customer = validate(FORM, "phone_number", "13912345678", make_tracker(openid()))
    assert stranger.messages == customer.messages == []            # both go on to the code prompt
    assert stranger.slot("phone_number") == "13000000000" and stranger.slot("verification_code") is None
    assert not any(item["mobile"] == "13000000000" for item in sms_inbox())
    follower = openid()
    asked = [run(ActionAskVerificationCode(), make_tracker(follower, slots={"phone_number": number}))
             for number in ("13000000000", "13912345678")]
    assert [a.responses for a in asked] == [["utter_ask_verification_code"]] * 2
    assert asked[0].text.replace("130****0000", "139****5678") == asked[1].text and "13000000000" not in asked[0].text


def test_a_code_typed_for_a_number_that_is_not_a_customers_is_a_wrong_try() -> None:
    follower = openid()
    validate(FORM, "phone_number", "13000000000", make_tracker(follower))
    tracker = make_tracker(follower, slots={"phone_number": "13000000000"})
    result = validate(FORM, "verification_code", "123456", tracker)
    assert result.responses == ["utter_code_wrong"] and result.values("utter_code_wrong")["tries_left"] == 2
    assert result.slot("verification_code") is None and get_crm().customer_for_openid(follower) is None


def test_valid_number_sends_a_code_to_that_number() -> None:
    result = validate(FORM, "phone_number", "号码是13912345678", make_tracker(openid()))
    assert result.slot("phone_number") == "13912345678"
    assert len(last_sms_code("13912345678")) == 6


def test_the_right_code_binds_the_follower() -> None:
    follower = openid()
    validate(FORM, "phone_number", "13712340001", make_tracker(follower))
    code = last_sms_code("13712340001")
    result = validate(FORM, "verification_code", code, make_tracker(follower, slots={"phone_number": "13712340001"}))
    assert result.slot("verification_code") == VERIFIED_SLOT_VALUE
    assert get_crm().customer_for_openid(follower).mobile == "13712340001"


def test_three_wrong_codes_lock_the_follower_out_and_nothing_is_bound() -> None:
    follower = openid()
    validate(FORM, "phone_number", "13512340003", make_tracker(follower))
    right = last_sms_code("13512340003")
    wrong = "000000" if right != "000000" else "111111"
    tracker = make_tracker(follower, slots={"phone_number": "13512340003"})
    first = validate(FORM, "verification_code", wrong, tracker)
    second = validate(FORM, "verification_code", wrong, tracker)
    third = validate(FORM, "verification_code", wrong, tracker)
    assert "2次" in first.text and "1次" in second.text
    assert third.slot("verification_code") == LOCKED_SLOT_VALUE and "之后再试" in third.text
    after = validate(FORM, "verification_code", right, tracker)  # even the right code is refused while locked
    assert after.slot("verification_code") == LOCKED_SLOT_VALUE
    assert get_crm().customer_for_openid(follower) is None


def test_code_format_is_checked_before_spending_a_try() -> None:
    result = validate(FORM, "verification_code", "12ab", make_tracker(openid(), slots={"phone_number": "13800138000"}))
    assert result.slot("verification_code") is None and "6位数字" in result.text


def test_submit_reports_success_and_replays_the_request_with_its_details() -> None:
    follower = openid()
    bind(follower, "13800138000")
    request = {"text": "查一下8月份账单", "intent": {"name": "query_bill", "confidence": 0.97}, "entities": []}
    tracker = make_tracker(follower, slots={"verification_code": VERIFIED_SLOT_VALUE, "pending_action": "action_query_bill",
                                            "pending_request": request})
    result = run(ActionBindAccount(), tracker)
    assert result.responses == ["utter_bind_success"] and result.values("utter_bind_success")["masked_mobile"] == "138****8000"
    listen, user = result.events[-2:]
    assert listen["name"] == "action_listen"
    assert user["text"] == "查一下8月份账单" and user["parse_data"]["intent"]["name"] == "query_bill"
    assert result.slot("pending_action") is None and result.slot("pending_request") is None
    assert result.slot("phone_number") is None


def test_an_unbound_request_keeps_what_it_said_for_after_binding() -> None:
    from actions.queries import ActionQueryBill

    tracker = make_tracker(openid(), text="最近三个月的账单", intent="query_bill",
                           entities=[{"entity": "phone_number", "value": "x"}])
    result = run(ActionQueryBill(), tracker)
    assert result.responses == ["utter_bind_needed"] and result.slot("pending_action") == "action_query_bill"
    assert result.slot("pending_request")["text"] == "最近三个月的账单"
    assert result.slot("pending_request")["intent"]["name"] == "query_bill"


def test_submit_after_a_lockout_binds_nothing_and_says_nothing_more() -> None:
    result = run(ActionBindAccount(), make_tracker(openid(), slots={"verification_code": LOCKED_SLOT_VALUE}))
    assert result.texts == []


def test_show_and_unbind() -> None:
    follower = openid()
    assert "还没有绑定" in run(ActionShowBinding(), make_tracker(follower)).text
    bind(follower, "13912345678")
    assert "139****5678" in run(ActionShowBinding(), make_tracker(follower)).text
    assert "已解除绑定" in run(ActionUnbindAccount(), make_tracker(follower)).text
    assert get_crm().customer_for_openid(follower) is None
    assert "还没有绑定" in run(ActionUnbindAccount(), make_tracker(follower)).text


def test_asking_for_a_second_code_at_once_says_how_long_to_wait() -> None:
    follower = openid()
    tracker = make_tracker(follower)
    first = validate(FORM, "phone_number", "13912345678", tracker)
    again = validate(FORM, "phone_number", "13912345678", tracker)
    assert first.slot("phone_number") == "13912345678" and "utter_code_resend_wait" not in first.responses
    assert again.responses == ["utter_code_resend_wait"] and again.values("utter_code_resend_wait")["seconds"] >= 1
