"""Issue 12, item 10: nobody finds or changes someone else's check-in by guessing numbers and surnames.

A follower who is not bound to the booking's account proves the passenger with the full name; failed attempts are
limited per follower (5 an hour) and per ID / e-ticket number (3 an hour, data/checkin.yml). This module has its
own seeded database; each test uses numbers no other test here counts failures against.
"""
import uuid

from actions.checkin import NOTHING, ActionConfirmCancelCheckIn, ActionIssueBoardingPass, ActionShowBoardingPass, ValidateCheckinForm
from bot.backends import get_crm
from tests.actions.conftest import bind, make_tracker, run, validate

FORM = ValidateCheckinForm()
LOCKED = ["utter_checkin_identification_locked"]


def follower() -> str:
    return f"o-p-{uuid.uuid4().hex[:8]}"


def name_answer(ticket: str, name: str, sender: str = "", **slots: str):
    return validate(FORM, "checkin_surname", name, make_tracker(sender or follower(), slots=dict(slots, checkin_id=ticket)))


def test_a_surname_alone_is_refused_for_a_stranger_without_looking_it_up_and_the_full_name_is_accepted() -> None:
    for _ in range(4):  # more than the number's limit of 3: were these counted, the full name below would be locked out
        refused = name_answer("7842100000002", "张")
        assert refused.responses == ["utter_checkin_full_name_needed"] and refused.slot("checkin_surname") is None
        assert "完整姓名" in refused.text and "CZ3501" not in refused.text
    accepted = name_answer("7842100000002", "张伟")   # 张伟's e-ticket for CZ3501, open
    assert accepted.slot("checkin_surname") == "张伟" and accepted.slot("checkin_booking") and "CZ3501" in accepted.text


def test_the_question_asks_for_the_full_name() -> None:
    from tests.actions.conftest import domain_responses

    assert "完整姓名" in domain_responses()["utter_ask_checkin_surname"][0]["text"]


def test_a_missing_number_and_a_name_that_does_not_match_get_the_same_answer() -> None:
    mismatch = name_answer("7842100000001", "李四")    # exists (张伟's), wrong name
    missing = name_answer("7842109999999", "李四")     # no such e-ticket
    assert mismatch.responses == missing.responses == ["utter_passenger_not_found"]
    assert mismatch.texts == missing.texts and mismatch.events == missing.events
    assert mismatch.slot("checkin_id") is None and mismatch.slot("checkin_surname") is None


def test_three_failures_against_one_number_lock_it_even_for_the_right_name() -> None:
    ticket = "7842100000004"   # 张伟's, CZ6301 (window closed): a found passenger would hear about the window
    answers = [name_answer(ticket, "张三").responses for _ in range(3)]
    assert answers == [["utter_passenger_not_found"], ["utter_passenger_not_found"], LOCKED]
    right = name_answer(ticket, "张伟")
    assert right.responses == LOCKED and "CZ6301" not in right.text
    assert "10000" in right.text and "转人工" in right.text and "11月23日 11:00" in right.text
    assert right.slot("checkin_id") == NOTHING and right.slot("seat_request") == NOTHING   # the form ends
    upfront = validate(FORM, "checkin_id", ticket, make_tracker(follower()))   # said before the name is asked
    assert upfront.responses == LOCKED and upfront.slot("checkin_surname") == NOTHING
    ended = run(ActionIssueBoardingPass(), make_tracker(slots={"checkin_id": NOTHING, "checkin_surname": NOTHING, "seat_request": NOTHING}))
    assert ended.texts == [] and ended.slot("checkin_id") is None and ended.slot("checkin_surname") is None


def test_five_failures_of_one_follower_lock_it_for_every_number_but_not_other_followers() -> None:
    guesser = follower()
    answers = [name_answer(f"78421999900{i:02d}", "王五", guesser).responses for i in range(5)]
    assert answers == [["utter_passenger_not_found"]] * 4 + [LOCKED]
    assert validate(FORM, "checkin_id", "7842100000006", make_tracker(guesser)).responses == LOCKED
    assert name_answer("7842100000006", "王芳", guesser).responses == LOCKED   # the right name: still locked
    assert "CZ3501" in name_answer("7842100000006", "王芳").text               # anyone else: identified


def test_the_bound_owner_needs_only_the_surname_and_is_never_locked_out_of_the_own_booking() -> None:
    zhang_id = get_crm().customer_by_mobile("13800138000").id_card
    for _ in range(3):
        name_answer(zhang_id, "张三")
    assert name_answer(zhang_id, "张伟").responses == LOCKED   # a stranger, even with the right name
    owner = follower()
    bind(owner, "13800138000")
    number = validate(FORM, "checkin_id", zhang_id, make_tracker(owner))
    assert number.slot("checkin_id") == zhang_id and number.responses == []
    surname = name_answer(zhang_id, "张", owner)   # what ActionStartCheckIn fills in for the bound owner
    assert "网上值机已截止" in surname.text and surname.slot("checkin_surname") == "张"
    wang = follower()
    bind(wang, "13712340001")   # 王芳 typing her own e-ticket
    assert "CZ3501" in name_answer("7842100000006", "王", wang).text


def test_a_surname_does_not_show_or_cancel_someone_elses_check_in_and_the_full_name_does() -> None:
    surname_only = {"checkin_id": "7842100000005", "checkin_surname": "李"}   # 李娜, checked in on CZ3101 seat 33A
    shown = run(ActionShowBoardingPass(), make_tracker(slots=surname_only))
    assert shown.responses == ["utter_no_boarding_pass"] and "33A" not in shown.text
    assert run(ActionConfirmCancelCheckIn(), make_tracker(slots=surname_only)).responses == ["utter_nothing_to_cancel_check_in"]
    for mode in ("show", "cancel"):
        assert name_answer("7842100000005", "李", checkin_mode=mode).responses == ["utter_checkin_full_name_needed"]
    full = {"checkin_id": "7842100000005", "checkin_surname": "李娜"}
    assert "33A" in run(ActionShowBoardingPass(), make_tracker(slots=full)).text
    assert "确定取消" in name_answer("7842100000005", "李娜", checkin_mode="cancel").text


def test_another_number_later_in_the_form_is_proven_afresh() -> None:
    identified = {"checkin_id": "7842100000006", "checkin_surname": "王芳", "checkin_booking": "6", "seat_request": "38C"}
    later = validate(FORM, "checkin_id", "7842100000005", make_tracker(slots=identified))
    cleared = {(e["name"], e["value"]) for e in later.events}
    assert later.slot("checkin_id") == "7842100000005"
    assert {("checkin_surname", None), ("checkin_booking", None), ("seat_request", None)} <= cleared
    together = make_tracker(slots=dict(identified, checkin_id="7842100000005", checkin_surname="李娜"))
    together.events.append({"event": "slot", "name": "checkin_surname", "value": "李娜"})   # named in the same message
    kept = validate(FORM, "checkin_id", "7842100000005", together)
    assert "checkin_surname" not in [e["name"] for e in kept.events]
