"""Human handoff: during service hours hand the conversation to WeChat's agents (and keep the bot quiet);
outside them say when agents are back and offer a call-back."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import choices_from_buttons
from bot.backends import get_crm
from bot.handoff import load_handoff_rules
from bot.privacy import mask_mobile
from bot.replies import reply

HUMAN_AGENT_CHANNELS = {"wechat"}   # channels where a human agent system takes over the conversation
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ActionHandoff(Action):
    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        rules = load_handoff_rules()
        if not rules.hours.is_open(self._now()):
            message = reply("handoff_closed", hours=rules.hours.label())
            dispatcher.utter_message(**message)
            return [choices_from_buttons(message["buttons"])]
        dispatcher.utter_message(**reply("handoff"))
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
            dispatcher.utter_message(**reply("phone_invalid"))
            return {"callback_number": None}
        return {"callback_number": found.group(0)}


class ActionRequestCallback(Action):
    def name(self) -> Text:
        return "action_request_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        mobile = tracker.get_slot("callback_number")
        request_id = get_crm().request_callback(tracker.sender_id, mobile)
        dispatcher.utter_message(**reply("callback_recorded", request_id=request_id, masked_mobile=mask_mobile(mobile)))
        return [SlotSet("callback_number", None), SlotSet("requested_slot", None)]


class ActionAskCallbackNumber(Action):
    def name(self) -> Text:
        return "action_ask_callback_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(**reply("ask_callback_number"))
        return []
