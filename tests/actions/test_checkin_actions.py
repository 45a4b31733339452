import asyncio
import uuid

import pytest

from actions.checkin import (
    NOTHING,
    ActionCancelCheckIn,
    ActionConfirmCancelCheckIn,
    ActionIssueBoardingPass,
    ActionShowBoardingPass,
    ActionStartCheckIn,
    ValidateCheckinForm,
)
from bot.backends import get_crm
from tests.actions.conftest import bind, make_tracker, run, validate

FORM = ValidateCheckinForm()
ZHANG_ID = None


def zhang_id() -> str:
    return get_crm().customer_by_mobile("13800138000").id_card


def wang_id() -> str:
    return get_crm().customer_by_mobile("13712340001").id_card


def test_id_card_with_a_wrong_check_digit_is_explained_masked() -> None:
    wrong = zhang_id()[:17] + ("0" if zhang_id()[17] != "0" else "1")
    result = validate(FORM, "checkin_id", wrong, make_tracker())
    assert result.slot("checkin_id") is None and "校验位不正确" in result.text and wrong not in result.text


@pytest.mark.parametrize("value, expected", [("784-2100000001", "7842100000001"), ("7842100000002", "7842100000002")])
def test_ticket_numbers_are_accepted(value: str, expected: str) -> None:
    """The value an eticket_number entity filled in (the slot mapping reads the number out of the message)."""
    assert validate(FORM, "checkin_id", value, make_tracker()).slot("checkin_id") == expected


@pytest.mark.parametrize("whole_text", ["不知道", "票号784210000", "我的身份证号是4401"])
def test_unreadable_identification(whole_text: str) -> None:
    """No entity in the message: the slot got the whole text, which is no number to look up."""
    result = validate(FORM, "checkin_id", whole_text, make_tracker())
    assert result.slot("checkin_id") is None and result.responses == ["utter_checkin_id_unreadable"]


def test_unknown_passenger_starts_identification_over() -> None:
    result = validate(FORM, "checkin_surname", "李娜", make_tracker(slots={"checkin_id": zhang_id()}))
    assert result.slot("checkin_id") is None and "没有查到" in result.text


def test_windows_are_explained_and_two_open_flights_leave_the_choice() -> None:
    result = validate(FORM, "checkin_surname", "张伟", make_tracker(slots={"checkin_id": zhang_id()}))
    assert "网上值机已截止" in result.text and "值机将于" in result.text
    assert result.slot("checkin_surname") == "张伟" and result.slot("checkin_booking") is None


def test_one_open_flight_is_chosen_automatically() -> None:
    result = validate(FORM, "checkin_surname", "王芳", make_tracker(slots={"checkin_id": wang_id()}))
    assert result.slot("checkin_booking") and "CZ3501" in result.text


def test_only_not_yet_open_flights_end_the_form_without_a_pass() -> None:
    result = validate(FORM, "checkin_surname", "张伟", make_tracker(slots={"checkin_id": "7842100000003"}))
    assert result.slot("seat_request") == NOTHING and "值机将于" in result.text


def _ready(ticket: str, name: str) -> dict:
    """The slots once a passenger is identified (by the full name: the follower is not bound to the booking)."""
    booking = get_crm().booking_by_ticket_number(ticket)
    return {"checkin_id": ticket, "checkin_surname": name, "checkin_booking": str(booking.booking_id)}


def _seat(value: str, **entities: str) -> list:
    """Entities as NLU gives them for a seat wish (seat_number, seat_preference, seat_row)."""
    return [{"entity": name, "value": v} for name, v in (entities or {"seat_number": value}).items()]


def test_specific_free_seat_is_proposed_with_a_map_and_exit_rows_need_consent() -> None:
    slots = _ready("7842100000006", "王芳")
    free = validate(FORM, "seat_request", "38C", make_tracker(slots=slots, entities=_seat("38C")))
    assert free.slot("seat_request") == "38C" and "★" in free.text
    exit_seat = validate(FORM, "seat_request", "31B", make_tracker(slots=slots, entities=_seat("31B")))
    assert exit_seat.slot("seat_request") == "31B"
    needed = asyncio.run(FORM.required_slots([], None, make_tracker(slots=dict(slots, seat_request="31B")), {}))
    assert "exit_row_ok" in needed
    declined = validate(FORM, "exit_row_ok", "不同意", make_tracker(slots=dict(slots, seat_request="31B")))
    assert declined.slot("seat_request") is None


def test_taken_and_missing_seats_are_refused_with_alternatives() -> None:
    slots = _ready("7842100000001", "张伟")
    taken_by = get_crm().booking_by_ticket_number("7842100000005").seat_no
    taken = validate(FORM, "seat_request", taken_by, make_tracker(slots=slots, entities=_seat(taken_by)))
    assert taken.slot("seat_request") is None and "已被选" in taken.text and "附近可选" in taken.text
    assert "没有 99A" in validate(FORM, "seat_request", "99A", make_tracker(slots=slots, entities=_seat("99A"))).text


def test_a_row_and_a_kind_of_seat_are_proposed_together() -> None:
    slots = _ready("7842100000006", "王芳")
    wish = _seat("", seat_preference="window", seat_row="35")
    proposed = validate(FORM, "seat_request", "想坐第35排靠窗", make_tracker(slots=slots, entities=wish))
    assert proposed.slot("seat_request") in ("35A", "35L")
    unreadable = validate(FORM, "seat_request", "嗯", make_tracker(slots=slots))
    assert unreadable.slot("seat_request") is None and unreadable.responses == ["utter_seat_request_unreadable"]


def test_someone_elses_booking_can_never_be_chosen() -> None:
    slots = dict(_ready("7842100000006", "王芳"), checkin_booking=str(get_crm().booking_by_ticket_number("7842100000001").booking_id))
    result = run(ActionIssueBoardingPass(), make_tracker(slots=dict(slots, seat_request="39A", checkin_confirm="yes")))
    assert result.texts == []


def test_issue_show_and_cancel() -> None:
    follower = f"o-c-{uuid.uuid4().hex[:8]}"
    slots = dict(_ready("7842100000006", "王芳"), seat_request="39A", checkin_confirm="yes")
    issued = run(ActionIssueBoardingPass(), make_tracker(follower, slots=slots))
    assert "值机成功" in issued.text and "座位：39A" in issued.text and "王*" in issued.text and "4401**********" in issued.text
    # WeChat: the pass is an article variant; then the satisfaction survey's one question, asked once per booking
    assert issued.responses == ["utter_boarding_pass_header_issued", "utter_boarding_pass", "utter_survey_question_checkin"]
    again = run(ActionShowBoardingPass(), make_tracker(follower, slots=slots))
    assert "座位：39A" in again.text
    asked = run(ActionConfirmCancelCheckIn(), make_tracker(follower, slots=slots))
    assert "确定取消" in asked.text
    cancelled = run(ActionCancelCheckIn(), make_tracker(follower, slots=dict(slots, checkin_to_cancel=asked.slot("checkin_to_cancel"))))
    assert "已取消" in cancelled.text
    reissued = run(ActionIssueBoardingPass(), make_tracker(follower, slots=slots))
    assert reissued.responses == ["utter_boarding_pass_header_issued", "utter_boarding_pass"]  # no second survey


def test_bound_follower_is_identified_by_the_binding() -> None:
    follower = f"o-c-{uuid.uuid4().hex[:8]}"
    bind(follower, "13800138000")
    result = run(ActionStartCheckIn(), make_tracker(follower, text="值机", intent="check_in"))
    assert result.slot("checkin_id") == zhang_id() and result.slot("checkin_mode") == "new"


def _picking(number: int, slots: dict):
    """The confirmation question with its buttons, answered with a number (option_number entity)."""
    asked = [{"event": "user", "text": "靠窗", "parse_data": {}},
             {"event": "bot", "text": "请确认值机信息", "data": {"buttons": [
                 {"title": "确认值机", "payload": "/affirm"}, {"title": "换个座位", "payload": "/change_seat"}]}}]
    return make_tracker(text=str(number), intent="choose_option", entities=[{"entity": "option_number", "value": str(number)}],
                        slots=slots, events=asked)


def test_a_number_answers_the_confirmation_as_its_button_would() -> None:
    slots = dict(_ready("7842100000006", "王芳"), seat_request="38C")
    assert validate(FORM, "checkin_confirm", "1", _picking(1, slots)).slot("checkin_confirm") == "yes"
    again = validate(FORM, "checkin_confirm", "2", _picking(2, slots))
    assert again.slot("checkin_confirm") is None and again.slot("seat_request") is None
    assert validate(FORM, "checkin_confirm", "7", _picking(7, slots)).responses == ["utter_yes_or_no"]
