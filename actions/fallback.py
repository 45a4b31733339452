"""When the bot does not understand: offer the closest knowledge-base entries, then a human."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import RESPONSE_PAYLOAD_PREFIX
from actions.checkin import ActionCancelCheckIn, ActionKeepCheckIn
from actions.common import AWAITING, OFFER_HUMAN
from actions.tickets import ActionCancelTicket, ActionKeepTicket

FALLBACK_INTENT = "nlu_fallback"
NOT_UNDERSTOOD = {FALLBACK_INTENT, "out_of_scope"}   # a second one in a row offers a person
SUGGESTIONS = 3
MIN_FAQ_SHARE = 0.05   # the knowledge base must be at least this plausible before we suggest from it
MIN_ANSWER_SHARE = 0.3  # an unsure yes/no is still taken as the answer to the bot's own open yes/no question
# The open question (slot awaiting_confirmation) → the action for yes (or repeating the request) and for no.
ANSWERS = {"cancel_ticket": (ActionCancelTicket, ActionKeepTicket), "cancel_check_in": (ActionCancelCheckIn, ActionKeepCheckIn)}


def answer_to_open_question(tracker: Tracker) -> Optional[Action]:
    """The action answering the bot's open yes/no question when the classifier was unsure but leaned yes or no.

    "嗯 取消吧" after "确定要取消值机吗?" may score below the fallback threshold; in that context the best real
    intent decides, if it is plausible enough. Without an open question nothing is guessed.
    """
    question = tracker.get_slot(AWAITING)
    if question not in ANSWERS:
        return None
    ranking = [i for i in (tracker.latest_message or {}).get("intent_ranking") or [] if i.get("name") != FALLBACK_INTENT]
    if not ranking or ranking[0].get("confidence", 0) < MIN_ANSWER_SHARE:
        return None
    yes, no = ANSWERS[question]
    answer = {"affirm": yes, question: yes, "deny": no}.get(ranking[0].get("name"))
    return answer() if answer else None


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the bot did not understand or could not serve (this one included)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") not in NOT_UNDERSTOOD:
            break
        count += 1
    return max(count, 1)


def faq_suggestions(tracker: Tracker) -> List[Dict[str, str]]:
    parse = tracker.latest_message or {}
    faq_share = next((i.get("confidence", 0) for i in parse.get("intent_ranking", []) if i.get("name") == "faq"), 0)
    ranking = ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    if faq_share < MIN_FAQ_SHARE:
        return []
    keys = [entry["intent_response_key"] for entry in ranking[:SUGGESTIONS] if entry.get("intent_response_key")]
    return [{"title": key.split("/", 1)[1], "payload": f"{RESPONSE_PAYLOAD_PREFIX}utter_{key}"} for key in keys]


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        answer = answer_to_open_question(tracker)
        if answer is not None:  # run here, so the dialogue goes on as after any fallback (rules: listen next)
            return await answer.run(dispatcher, tracker, domain)
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
            return [SlotSet(AWAITING, OFFER_HUMAN)]   # a yes now takes the offer (data/rules/handoff.yml)
        if (tracker.latest_message.get("intent") or {}).get("name") == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        suggestions = faq_suggestions(tracker)
        if not suggestions:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(response="utter_did_you_mean", buttons=suggestions)
        dispatcher.utter_message(response="utter_did_you_mean_hint")
        return []


class ActionCoreFallback(Action):
    """When no policy knows the next action: apologise and forget the message, so the dialogue never loops."""

    def name(self) -> Text:
        return "action_core_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
