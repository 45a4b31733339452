"""Human handoff: during service hours hand the conversation to WeChat's agents (and keep the bot quiet);
outside them say when agents are back and offer a call-back."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AWAITING, OFFER_HUMAN
from bot import clock
from bot.backends import get_crm
from bot.handoff import load_handoff_rules
from bot.privacy import mask_mobile

HUMAN_AGENT_CHANNELS = {"wechat"}   # channels where a human agent system takes over the conversation
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class ActionHandoff(Action):
    def __init__(self, now: Optional[Callable[[], datetime]] = None) -> None:
        self._now = now or (lambda: clock.now())  # looked up each call, so a pinned bot.clock.now applies

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        rules = load_handoff_rules()
        is_open = rules.hours.is_open(self._now())
        # recorded with the response (its metadata), so the console counts it as it was judged now
        reason = rules.reason(str((tracker.latest_message or {}).get("text") or ""),
                              after_offer=tracker.get_slot(AWAITING) == OFFER_HUMAN, out_of_hours=not is_open)
        if not is_open:
            dispatcher.utter_message(response="utter_handoff_closed", hours=rules.hours.label(), handoff_reason=reason)
            return []
        dispatcher.utter_message(response="utter_handoff", handoff_reason=reason)
        dispatcher.utter_message(json_message={"handoff": True})
        if tracker.get_latest_input_channel() in HUMAN_AGENT_CHANNELS:
            return [ConversationPaused()]  # the channel resumes it when the agent's session ends
        return []


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"

    async def validate_callback_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        found = _MOBILE.search(str(value or ""))
        if not found:
            dispatcher.utter_message(response="utter_phone_invalid")
            return {"callback_number": None}
        return {"callback_number": found.group(0)}


class ActionRequestCallback(Action):
    def name(self) -> Text:
        return "action_request_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        mobile = tracker.get_slot("callback_number")
        request_id = get_crm().request_callback(tracker.sender_id, mobile)
        dispatcher.utter_message(response="utter_callback_recorded", request_id=request_id, masked_mobile=mask_mobile(mobile))
        return [SlotSet("callback_number", None), SlotSet("requested_slot", None)]


class ActionAskCallbackNumber(Action):
    def name(self) -> Text:
        return "action_ask_callback_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_ask_callback_number")
        return []
