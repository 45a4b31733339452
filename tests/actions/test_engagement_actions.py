"""Reminder consent and survey answers, run as the action server runs them, on real SQLite."""
from datetime import timedelta
from typing import Any, Dict, List, Optional

from actions.choices import ActionChooseOption
from actions.engagement import ActionOptInReminders, ActionOptOutReminders, ActionShowSubscriptions
from actions.surveys import ActionAnswerSurvey, ActionAskHandoffSurvey, ActionSaveSurveyComment
from actions.tickets import ActionRateTicket
from bot import clock
from bot.backends import get_consent, get_surveys
from bot.backends.consent import USAGE_REMINDERS
from bot.backends.surveys import CHECKIN, REPAIR, STARS_SCALE, WORDS_SCALE
from tests.actions.conftest import bind, domain_responses, make_tracker, run
from tests.conftest import FIXED_NOW

LI_NA = "13912345678"
ASKED = clock.aware(FIXED_NOW).timestamp()


def survey_question(at: float = ASKED + 1) -> Dict[str, Any]:
    """The in-conversation survey question as Rasa stores it (its buttons from the domain)."""
    response = domain_responses()["utter_survey_question_checkin"][0]
    return {"event": "bot", "text": response["text"], "timestamp": at, "data": {"buttons": response["buttons"]}}


def bot_says(text: str, at: float) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": at, "data": {}}


def user(text: str, at: float) -> Dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {"intent": {"name": "x"}}}


def words(value: str, start: int = 0) -> List[Dict[str, Any]]:
    return [{"entity": "satisfaction", "value": value, "start": start, "end": start + 2}]


def answer(openid: str, text: str, entities: List[Dict], events: List[Dict], intent: str = "answer_survey"):
    return run(ActionAnswerSurvey(), make_tracker(openid, text=text, intent=intent, entities=entities, events=events))


# -- consent ----------------------------------------------------------------------------------------
def test_opting_in_needs_binding_first_and_keeps_the_request() -> None:
    result = run(ActionOptInReminders(), make_tracker("o-optin-unbound", text="订阅用量提醒", intent="opt_in_reminders"))
    assert result.responses == ["utter_bind_needed"]
    assert result.slot("pending_action") == "action_opt_in_reminders"
    assert result.slot("pending_request")["intent"]["name"] == "opt_in_reminders"
    assert get_consent().latest("o-optin-unbound", USAGE_REMINDERS) is None


def test_opting_in_records_consent_with_china_time_once() -> None:
    bind("o-optin", LI_NA)
    result = run(ActionOptInReminders(), make_tracker("o-optin", text="订阅用量提醒", intent="opt_in_reminders"))
    assert result.responses == ["utter_reminders_on"] and "139****5678" in result.text
    consent = get_consent().latest("o-optin", USAGE_REMINDERS)
    assert consent.granted and consent.at == FIXED_NOW
    again = run(ActionOptInReminders(), make_tracker("o-optin", text="开通用量提醒", intent="opt_in_reminders"))
    assert again.responses == ["utter_reminders_already_on"] and "11月23日" in again.text


def test_opting_out_is_recorded_and_shown() -> None:
    bind("o-optout", LI_NA)
    run(ActionOptInReminders(), make_tracker("o-optout", intent="opt_in_reminders"))
    result = run(ActionOptOutReminders(), make_tracker("o-optout", text="退订提醒", intent="opt_out_reminders"))
    assert result.responses == ["utter_reminders_off"]
    assert get_consent().latest("o-optout", USAGE_REMINDERS).granted is False
    assert "o-optout" not in get_consent().followers_with(USAGE_REMINDERS)
    shown = run(ActionShowSubscriptions(), make_tracker("o-optout", intent="query_subscriptions"))
    assert shown.responses == ["utter_subscriptions_reminders_off", "utter_subscriptions_outage_on"]


def test_opting_out_when_nothing_was_on_says_so_and_points_to_services() -> None:
    result = run(ActionOptOutReminders(), make_tracker("o-optout-none", text="退订提醒", intent="opt_out_reminders"))
    assert result.responses == ["utter_reminders_were_off"] and "退订增值业务" in result.text
    shown = run(ActionShowSubscriptions(), make_tracker("o-optout-none", intent="query_subscriptions"))
    assert shown.responses == ["utter_subscriptions_reminders_off", "utter_subscriptions_outage_unbound"]


def test_what_am_i_subscribed_to_shows_reminders_since_when() -> None:
    bind("o-subs", LI_NA)
    run(ActionOptInReminders(), make_tracker("o-subs", intent="opt_in_reminders"))
    shown = run(ActionShowSubscriptions(), make_tracker("o-subs", intent="query_subscriptions"))
    assert shown.responses == ["utter_subscriptions_reminders_on", "utter_subscriptions_outage_on"]
    assert "11月23日" in shown.text


# -- surveys ----------------------------------------------------------------------------------------
def asked(openid: str, kind: str = CHECKIN, service: Optional[str] = None):
    return get_surveys().ask(kind, service or f"svc-{openid}", openid, FIXED_NOW)


def test_a_survey_answered_in_words_is_stored_and_invites_a_comment() -> None:
    survey = asked("o-sv-words")
    result = answer("o-sv-words", "一般", words("2"), [survey_question()])
    assert result.responses == ["utter_survey_thanks_ask_comment"]
    assert (result.slot("awaiting_confirmation"), result.slot("survey_comment_for")) == ("survey_comment", survey.survey_id)
    stored = get_surveys().latest("o-sv-words")
    assert (stored.scale, stored.score, stored.comment) == (WORDS_SCALE, 2, None)
    comment = run(ActionSaveSurveyComment(), make_tracker("o-sv-words", text="值机页面有点难找", intent="nlu_fallback",
                                                          slots={"survey_comment_for": survey.survey_id}))
    assert comment.responses == ["utter_survey_comment_saved"] and comment.slot("awaiting_confirmation") is None
    assert get_surveys().latest("o-sv-words").comment == "值机页面有点难找"


def test_no_comment_is_fine() -> None:
    survey = asked("o-sv-nocomment")
    answer("o-sv-nocomment", "满意", words("3"), [survey_question()])
    result = run(ActionSaveSurveyComment(), make_tracker("o-sv-nocomment", text="没有了", intent="deny",
                                                         slots={"survey_comment_for": survey.survey_id}))
    assert result.responses == ["utter_survey_no_comment"] and get_surveys().latest("o-sv-nocomment").comment is None


def test_a_score_with_words_beside_it_keeps_them_as_the_comment() -> None:
    asked("o-sv-inline")
    result = answer("o-sv-inline", "不满意，值机排队太久了", [{"entity": "satisfaction", "value": "1", "start": 0, "end": 3}],
                    [survey_question()])
    assert result.responses == ["utter_survey_thanks"]
    stored = get_surveys().latest("o-sv-inline")
    assert (stored.score, stored.comment) == (1, "不满意，值机排队太久了")


def test_stars_answer_on_the_five_point_scale() -> None:
    asked("o-sv-stars")
    result = answer("o-sv-stars", "4星", [{"entity": "stars", "value": "4", "start": 0, "end": 1}], [survey_question()])
    assert result.responses == ["utter_survey_thanks_ask_comment"]
    assert (get_surveys().latest("o-sv-stars").scale, get_surveys().latest("o-sv-stars").score) == (STARS_SCALE, 4)


def test_a_number_picks_the_survey_button_and_the_replayed_answer_is_stored_once() -> None:
    asked("o-sv-number")
    chosen = run(ActionChooseOption(), make_tracker("o-sv-number", text="1", intent="choose_option",
                                                    entities=[{"entity": "option_number", "value": "1"}],
                                                    events=[user("值机", ASKED - 60), survey_question()]))
    replayed = [e for e in chosen.events if e.get("event") == "user"][0]
    assert replayed["parse_data"]["intent"]["name"] == "answer_survey"
    history = [user("值机", ASKED - 60), survey_question(), user("1", ASKED + 5)]
    first = answer("o-sv-number", replayed["text"], replayed["parse_data"]["entities"], history)
    assert first.responses == ["utter_survey_thanks_ask_comment"]   # a button's payload is no comment
    assert get_surveys().latest("o-sv-number").score == 3
    second = answer("o-sv-number", replayed["text"], replayed["parse_data"]["entities"], history)
    assert second.responses == ["utter_survey_already_answered"] and get_surveys().latest("o-sv-number").score == 3


def test_after_another_request_a_late_answer_is_not_taken_for_the_survey() -> None:
    asked("o-sv-stale")
    history = [survey_question(), user("查话费", ASKED + 60), bot_says("您的余额…", ASKED + 61)]
    late_words = answer("o-sv-stale", "满意", words("3"), history)
    assert late_words.responses == ["utter_survey_none"]
    late_number = run(ActionChooseOption(), make_tracker("o-sv-stale", text="1", intent="choose_option",
                                                         entities=[{"entity": "option_number", "value": "1"}], events=history))
    assert late_number.responses == ["utter_nothing_to_choose"]
    assert not get_surveys().latest("o-sv-stale").answered


def test_a_survey_older_than_48_hours_is_no_longer_current(monkeypatch) -> None:
    asked("o-sv-old")
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW + timedelta(hours=49))
    assert answer("o-sv-old", "满意", words("3"), [survey_question()]).responses == ["utter_survey_none"]


def test_an_outbound_repair_survey_takes_the_number_while_the_bot_has_said_nothing_since() -> None:
    asked("o-sv-out", REPAIR, "GZ-OUT-1")
    menu = {"event": "bot", "text": "请回复数字", "timestamp": ASKED - 3600,
            "data": {"buttons": [{"title": "话费余额", "payload": "/query_balance"}]}}
    history = [user("菜单", ASKED - 3601), menu]      # an old menu, then the runner sent the survey
    chosen = run(ActionChooseOption(), make_tracker("o-sv-out", text="3", intent="choose_option",
                                                    entities=[{"entity": "option_number", "value": "3"}], events=history))
    replayed = [e for e in chosen.events if e.get("event") == "user"][0]
    assert replayed["parse_data"]["entities"] == [{"entity": "satisfaction", "value": "1", "start": 0, "end": 0}]
    not_offered = run(ActionChooseOption(), make_tracker("o-sv-out", text="5", intent="choose_option",
                                                         entities=[{"entity": "option_number", "value": "5"}], events=history))
    assert not_offered.responses == ["utter_survey_ask_score"] and not not_offered.events   # not the old menu either
    result = answer("o-sv-out", replayed["text"], replayed["parse_data"]["entities"], history + [user("3", ASKED + 10)])
    assert result.responses == ["utter_survey_thanks_ask_comment"] and get_surveys().latest("o-sv-out").score == 1


def test_stars_for_a_current_survey_answer_it_even_when_read_as_a_repair_rating() -> None:
    asked("o-sv-rate")
    result = run(ActionRateTicket(), make_tracker("o-sv-rate", text="5星", intent="rate_ticket",
                                                  entities=[{"entity": "stars", "value": "5", "start": 0, "end": 1}],
                                                  events=[survey_question()]))
    assert result.responses == ["utter_survey_thanks_ask_comment"] and get_surveys().latest("o-sv-rate").score == 5


def test_the_handoff_survey_is_asked_once_per_closed_session() -> None:
    metadata = {"wechat": {"msg_type": "event", "event": "kf_close_session", "create_time": 1795000000}}

    def closed():
        tracker = make_tracker("o-sv-kf", text="/agent_session_closed", intent="agent_session_closed")
        tracker.events[-1]["metadata"] = metadata
        return run(ActionAskHandoffSurvey(), tracker)

    assert closed().responses == ["utter_survey_question_handoff"]
    assert closed().responses == []          # the same session's event again: no second survey
    assert get_surveys().latest("o-sv-kf").service_kind == "handoff"
