import uuid
from datetime import datetime, timezone

import pytest

from actions.choices import ActionChooseOption
from actions.fallback import ActionCoreFallback, ActionFallback
from actions.handoff import ActionHandoff, ActionRequestCallback, ValidateCallbackForm
from actions.service_halls import ActionFindServiceHall
from tests.actions.conftest import make_tracker, run, validate

IN_HOURS = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)       # 11:00 in Guangzhou
OUT_OF_HOURS = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)  # 23:00 in Guangzhou


# -- numbered choices ------------------------------------------------------------------------------------
MENU = [{"title": "话费余额", "payload": "/query_balance"}, {"title": "账单查询", "payload": "/query_bill"},
        {"title": "流量用量", "payload": "/query_data"}]


def _answering(buttons, number=None, earlier_turns=0):
    """A tracker whose latest bot turn offered `buttons` and whose latest message picks `number`."""
    events = []
    for _ in range(earlier_turns):
        events += [{"event": "user", "text": "x", "parse_data": {}}, {"event": "bot", "text": "older list",
                                                                    "data": {"buttons": [{"title": "旧", "payload": "/greet"}]}}]
    events += [{"event": "user", "text": "菜单", "parse_data": {}}, {"event": "bot", "text": "请选择", "data": {"buttons": buttons}}]
    entities = [{"entity": "option_number", "value": str(number)}] if number is not None else []
    return make_tracker(text=str(number), intent="choose_option", entities=entities, events=events)


def test_a_number_replays_the_payload_of_that_button() -> None:
    result = run(ActionChooseOption(), _answering(MENU, 3))
    listen, user = result.events
    assert (listen["event"], listen["name"]) == ("action", "action_listen")
    assert user["event"] == "user" and user["parse_data"]["intent"]["name"] == "query_data"


def test_a_payload_with_entities_is_replayed_with_them() -> None:
    buttons = [{"title": "明天上午", "payload": '/inform{"visit_slot": "2026-11-24T09:00:00"}'}]
    user = run(ActionChooseOption(), _answering(buttons, 1)).events[1]
    assert user["parse_data"]["entities"][0]["value"] == "2026-11-24T09:00:00"


def test_only_the_latest_turn_counts() -> None:
    tracker = _answering([], 1, earlier_turns=2)   # older turns had buttons, the latest one none
    result = run(ActionChooseOption(), tracker)
    assert result.responses == ["utter_nothing_to_choose"] and not result.events


def test_a_number_not_in_the_list_is_answered_politely() -> None:
    result = run(ActionChooseOption(), _answering(MENU, 15))
    assert result.responses == ["utter_no_such_option"] and result.values("utter_no_such_option")["count"] == 3
    assert result.messages[0]["buttons"] == MENU   # shown again, so the list stays the current question
    assert not [e for e in result.events if e["event"] == "user"]


def test_a_number_without_any_list_points_to_the_menu() -> None:
    result = run(ActionChooseOption(), make_tracker(text="2", intent="choose_option",
                                                    entities=[{"entity": "option_number", "value": "2"}]))
    assert result.responses == ["utter_nothing_to_choose"]


def test_a_faq_choice_answers_with_that_entry() -> None:
    buttons = [{"title": "营业厅营业时间", "payload": "/utter:utter_faq/营业厅营业时间"}]
    result = run(ActionChooseOption(), _answering(buttons, 1))
    assert result.responses == ["utter_faq/营业厅营业时间"]


# -- fallback ---------------------------------------------------------------------------------------------
def _fallback_tracker(previous_fallbacks: int, faq_share: float = 0.3):
    events = []
    for _ in range(previous_fallbacks):
        events.append({"event": "user", "text": "x", "parse_data": {"intent": {"name": "nlu_fallback"}}})
        events.append({"event": "action", "name": "action_fallback"})
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "faq", "confidence": faq_share}]
    selector = {"faq": {"ranking": [{"intent_response_key": f"faq/{t}", "confidence": 0.3}
                                    for t in ("发票开具", "话费充值方式", "充值未到账", "销户")]}}
    return make_tracker(text="发票怎么弄", intent="nlu_fallback", events=events, ranking=ranking, response_selector=selector)


def test_first_fallback_offers_the_three_closest_entries() -> None:
    result = run(ActionFallback(), _fallback_tracker(0))
    assert result.responses == ["utter_did_you_mean", "utter_did_you_mean_hint"]
    buttons = result.messages[0]["buttons"]
    assert [b["title"] for b in buttons] == ["发票开具", "话费充值方式", "充值未到账"]
    assert buttons[0]["payload"] == "/utter:utter_faq/发票开具"


def test_first_fallback_without_a_plausible_entry_asks_to_rephrase() -> None:
    result = run(ActionFallback(), _fallback_tracker(0, faq_share=0.0))
    assert "换个说法" in result.text


def test_second_fallback_in_a_row_offers_a_human() -> None:
    result = run(ActionFallback(), _fallback_tracker(1))
    assert "转接人工" in result.text and result.responses == ["utter_offer_human"]
    assert result.slot("awaiting_confirmation") == "offer_human"   # the yes that follows takes the offer (a rule)


def test_out_of_scope_is_said_once_and_a_second_miss_in_a_row_offers_a_human() -> None:
    first = run(ActionFallback(), make_tracker(text="讲个笑话", intent="out_of_scope"))
    assert first.responses == ["utter_out_of_scope"]
    earlier = [{"event": "user", "text": "讲个笑话", "parse_data": {"intent": {"name": "out_of_scope"}}},
               {"event": "action", "name": "action_fallback"}]
    second = run(ActionFallback(), make_tracker(text="啊啊啊", intent="nlu_fallback", events=earlier))
    assert second.responses == ["utter_offer_human"]


def test_core_fallback_apologises_and_forgets_the_message() -> None:
    result = run(ActionCoreFallback(), make_tracker(text="?"))
    assert "换个说法" in result.text and result.events == [{"event": "rewind", "timestamp": None}]


# -- handoff ----------------------------------------------------------------------------------------------
def test_in_hours_handoff_says_so_and_marks_the_transfer() -> None:
    result = run(ActionHandoff(now=lambda: IN_HOURS), make_tracker(text="转人工"))
    assert "转接人工客服" in result.text and {"handoff": True} in [m.get("custom") for m in result.messages]
    assert not [e for e in result.events if e["event"] == "pause"]  # REST has no agents to pause for


def test_in_hours_handoff_on_wechat_pauses_the_bot() -> None:
    result = run(ActionHandoff(now=lambda: IN_HOURS), make_tracker(text="转人工", channel="wechat"))
    assert [e["event"] for e in result.events] == ["pause"]


def test_out_of_hours_says_when_agents_are_back_and_offers_a_call_back() -> None:
    result = run(ActionHandoff(now=lambda: OUT_OF_HOURS), make_tracker(text="投诉", channel="wechat"))
    assert "09:00-21:00" in result.text and not any(m.get("custom") for m in result.messages)
    assert result.responses == ["utter_handoff_closed"]


def test_the_handoff_records_why_it_happened_as_judged_at_the_time() -> None:
    def reason(text: str, now=IN_HOURS, **slots) -> str:
        result = run(ActionHandoff(now=lambda: now), make_tracker(text=text, slots=slots))
        return next(m["handoff_reason"] for m in result.messages if m.get("response"))

    assert reason("转人工") == "asked" and reason("/human_handoff") == "asked"
    assert reason("我要投诉 宽带修了三次还不好") == "complaint"
    assert reason("手机冒烟了") == "keyword"
    assert reason("好的", awaiting_confirmation="offer_human") == "misunderstood"
    assert reason("转人工", now=OUT_OF_HOURS) == "out_of_hours"


def test_call_back_number_is_validated_and_recorded() -> None:
    assert validate(ValidateCallbackForm(), "callback_number", "12345", make_tracker()).slot("callback_number") is None
    follower = f"o-cb-{uuid.uuid4().hex[:8]}"
    result = run(ActionRequestCallback(), make_tracker(follower, slots={"callback_number": "13912345678"}))
    assert "139****5678" in result.text and "编号" in result.text


# -- service halls ----------------------------------------------------------------------------------------
def test_nearest_three_halls_from_a_shared_location() -> None:
    entities = [{"entity": "latitude", "value": 23.1322}, {"entity": "longitude", "value": 113.3235}]
    result = run(ActionFindServiceHall(), make_tracker(intent="share_location", entities=entities))
    lines = [line for line in result.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(lines) == 3 and lines[0].startswith("1. 天河城营业厅（0.0公里）")
    distances = [float(line.split("（")[1].split("公里")[0]) for line in lines]
    assert distances == sorted(distances) and "排队" in result.text


def test_halls_of_a_district_ordered_by_queue() -> None:
    result = run(ActionFindServiceHall(), make_tracker(entities=[{"entity": "district", "value": "天河区"}]))
    assert result.text.index("珠江新城") < result.text.index("天河城营业厅")


def test_a_district_without_halls_and_no_place_at_all() -> None:
    assert "暂时没有营业厅" in run(ActionFindServiceHall(), make_tracker(entities=[{"entity": "district", "value": "从化区"}])).text
    assert "发送您的位置" in run(ActionFindServiceHall(), make_tracker(text="营业厅在哪")).text


# -- an unsure yes/no to the bot's own open question ------------------------------------------------------
def _unsure(answer: str, confidence: float, awaiting: str = "cancel_check_in"):
    ranking = [{"name": "nlu_fallback", "confidence": 0.65}, {"name": answer, "confidence": confidence},
               {"name": "deny" if answer != "deny" else "affirm", "confidence": 0.1}]
    return make_tracker(text="嗯 那就这样吧", intent="nlu_fallback", ranking=ranking,
                        slots={"awaiting_confirmation": awaiting, "checkin_to_cancel": None})


@pytest.mark.parametrize("answer, awaiting, expected", [
    ("affirm", "cancel_check_in", "utter_nothing_to_cancel_check_in"),   # yes: the cancel action runs (nothing left here)
    ("cancel_check_in", "cancel_check_in", "utter_nothing_to_cancel_check_in"),
    ("deny", "cancel_check_in", "utter_check_in_kept"),
    ("deny", "cancel_ticket", "utter_anything_else"),
])
def test_an_unsure_yes_or_no_answers_the_open_question(answer: str, awaiting: str, expected: str) -> None:
    result = run(ActionFallback(), _unsure(answer, 0.45, awaiting))
    assert result.responses == [expected] and result.slot("awaiting_confirmation") is None


@pytest.mark.parametrize("answer, confidence, awaiting", [("affirm", 0.2, "cancel_check_in"), ("query_bill", 0.5, "cancel_check_in"),
                                                          ("affirm", 0.5, None)])
def test_without_an_open_question_or_a_plausible_answer_nothing_is_guessed(answer: str, confidence: float, awaiting) -> None:
    result = run(ActionFallback(), _unsure(answer, confidence, awaiting))
    assert "utter_check_in_kept" not in result.responses and "utter_nothing_to_cancel_check_in" not in result.responses
