"""Satisfaction surveys in the dialogue: asking once per service, and reading the answer only while it is current.

A survey is current while it is the last thing the account said to the follower (and at most 48 hours old):
- asked in the conversation (after a check-in, after a human agent hands the follower back): the bot's latest
  message before the follower's offers the survey's buttons, so 「1」 picks 「满意」 through action_choose_option,
  the one mechanism for numbered choices, and words are read against the same question;
- sent by the campaign runner (after a completed repair, bot/engagement/surveys.py): the question is not in the
  conversation, but the survey store knows when it was asked; it is current while the bot has said nothing since.
Anything else the follower asks simply proceeds, and afterwards a late 「1」 or 「满意」 no longer answers it.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AWAITING, bound_customer, entity_value, latest_text, latest_user_metadata
from bot import clock
from bot.backends import get_surveys
from bot.backends.surveys import CHECKIN, HANDOFF, STARS_SCALE, SURVEY_VALID, WORDS_SCALE, Survey

logger = logging.getLogger(__name__)

SURVEY_INTENT = "answer_survey"
COMMENT_AWAITED = "survey_comment"      # value of awaiting_confirmation while an optional comment may follow
COMMENT_SLOT = "survey_comment_for"
# The outbound question (utter_survey_question_repair) numbers its answers 1. 满意 2. 一般 3. 不满意.
OUTBOUND_CHOICES = ("3", "2", "1")
MIN_COMMENT_CHARS = 4                   # what is left of a message beside its score to count as a comment


@dataclass(frozen=True)
class CurrentSurvey:
    survey: Survey
    in_conversation: bool   # its question (with buttons) is in the conversation; False: sent by the runner


def _last_bot_message(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The bot's latest message before the follower's latest one."""
    events = list(tracker.events)
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    end = users[-1] if users else len(events)
    return next((event for event in reversed(events[:end]) if event.get("event") == "bot"), None)


def _offers_survey(bot_message: Dict[str, Any]) -> bool:
    buttons = (bot_message.get("data") or {}).get("buttons") or []
    return any(str(b.get("payload") or "").startswith(f"/{SURVEY_INTENT}") for b in buttons)


def current_survey(tracker: Tracker) -> Optional[CurrentSurvey]:
    """The survey the follower's message may answer now, or None (see the module's docstring)."""
    survey = get_surveys().latest(tracker.sender_id)
    if survey is None or clock.now() - survey.asked_at > SURVEY_VALID:
        return None
    last_bot = _last_bot_message(tracker)
    if last_bot is not None and _offers_survey(last_bot):
        return CurrentSurvey(survey, in_conversation=True)
    if last_bot is None or float(last_bot.get("timestamp") or 0) < clock.aware(survey.asked_at).timestamp():
        return CurrentSurvey(survey, in_conversation=False)
    return None


def outbound_choice_payload(tracker: Tracker, index: Optional[int]) -> Optional[str]:
    """For action_choose_option: the answer a number stands for when the current question is an outbound survey
    ("" for a number it does not offer); None when no such survey is current."""
    current = current_survey(tracker)
    if current is None or current.in_conversation or current.survey.answered:
        return None
    if index is None or not 1 <= index <= len(OUTBOUND_CHOICES):
        return ""
    return f'/{SURVEY_INTENT}{{"satisfaction": "{OUTBOUND_CHOICES[index - 1]}"}}'


def ask_survey(dispatcher: CollectingDispatcher, tracker: Tracker, kind: str, service_id: str, response: str) -> bool:
    """Ask the survey of one service in the conversation, unless it was asked before (once per service)."""
    try:
        survey = get_surveys().ask(kind, service_id, tracker.sender_id, clock.now())
    except Exception:  # a survey must never spoil the service it follows
        logger.exception("survey.ask_failed kind=%s", kind)
        return False
    if survey is not None:
        dispatcher.utter_message(response=response)
    return survey is not None


def _score(tracker: Tracker) -> Optional[Tuple[int, int]]:
    """(scale, score) from the words (satisfaction entity, 3/2/1 by synonym) or the stars in the message."""
    words = entity_value(tracker, "satisfaction")
    if words is not None and str(words) in ("1", "2", "3"):
        return WORDS_SCALE, int(str(words))
    stars = entity_value(tracker, "stars")
    if stars is not None and str(stars).isdigit() and 1 <= int(str(stars)) <= STARS_SCALE:
        return STARS_SCALE, int(str(stars))
    return None


def _comment(tracker: Tracker) -> Optional[str]:
    """The follower's whole message when it says more than its score (「不满意，师傅迟到了」); None for a button."""
    text = latest_text(tracker).strip()
    if not text or text.startswith("/"):
        return None
    rest = text
    for entity in sorted((tracker.latest_message or {}).get("entities") or [], key=lambda e: -(e.get("start") or 0)):
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and end > start:
            rest = rest[:start] + rest[end:]
    return text if len(re.sub(r"[\W_]+", "", rest)) >= MIN_COMMENT_CHARS else None


class ActionAnswerSurvey(Action):
    def name(self) -> Text:
        return "action_answer_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        current, score = current_survey(tracker), _score(tracker)
        if current is None:
            customer = bound_customer(tracker) if score and score[0] == STARS_SCALE else None
            if customer is not None:   # 「5星」 with no survey open is the repair rating the follower starts himself
                from actions.tickets import ActionRateTicket

                ActionRateTicket().answer(customer, dispatcher, tracker, domain)
            else:
                dispatcher.utter_message(response="utter_survey_none")
            return []
        if current.survey.answered:
            dispatcher.utter_message(response="utter_survey_already_answered")
            return []
        if score is None:
            dispatcher.utter_message(response="utter_survey_ask_score")
            return []
        comment = _comment(tracker)
        stored = get_surveys().answer(current.survey.survey_id, tracker.sender_id, score[0], score[1], comment, clock.now())
        if not stored:
            dispatcher.utter_message(response="utter_survey_already_answered")
            return []
        if comment:
            dispatcher.utter_message(response="utter_survey_thanks")
            return []
        dispatcher.utter_message(response="utter_survey_thanks_ask_comment")
        return [SlotSet(AWAITING, COMMENT_AWAITED), SlotSet(COMMENT_SLOT, current.survey.survey_id)]


class ActionSaveSurveyComment(Action):
    """The optional comment after a score: the follower's next words unless they are a request or a "no"."""

    def name(self) -> Text:
        return "action_save_survey_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        survey_id = tracker.get_slot(COMMENT_SLOT)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        saved = (intent != "deny" and survey_id is not None
                 and get_surveys().add_comment(int(survey_id), tracker.sender_id, latest_text(tracker)))
        dispatcher.utter_message(response="utter_survey_comment_saved" if saved else "utter_survey_no_comment")
        return [SlotSet(AWAITING, None), SlotSet(COMMENT_SLOT, None)]


class ActionAskHandoffSurvey(Action):
    """WeChat's human agent closed the session (kf_close_session): one question about that service."""

    def name(self) -> Text:
        return "action_ask_handoff_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        closed = (latest_user_metadata(tracker).get("wechat") or {}).get("create_time") or int(clock.aware(clock.now()).timestamp())
        follower = hashlib.sha256(tracker.sender_id.encode("utf-8")).hexdigest()[:16]
        ask_survey(dispatcher, tracker, HANDOFF, f"{follower}:{closed}", "utter_survey_question_handoff")
        return []


def ask_checkin_survey(dispatcher: CollectingDispatcher, tracker: Tracker, booking_id: int) -> None:
    """After the boarding pass of a new check-in: once per booking."""
    ask_survey(dispatcher, tracker, CHECKIN, str(booking_id), "utter_survey_question_checkin")
