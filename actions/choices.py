"""Numbered choices, one mechanism for every channel: a number picks a button of the bot's latest turn.

Every list a follower can answer with a number is sent as buttons (domain responses, or buttons an action adds).
The tracker keeps what the bot said, so the options are read from the turn the follower is answering; a number
sent after any later bot message no longer picks from an old list, and choices survive a restart because the
conversation itself is stored. Channels only render buttons (WeChat as "1. title" lines, numbered across the turn).
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import entity_value

_PAYLOAD = re.compile(r"^/([\w-]+)(\{.*\})?$", re.S)
RESPONSE_PAYLOAD_PREFIX = "/utter:"   # a button that just shows a response, e.g. a knowledge-base answer


def offered_buttons(tracker: Tracker) -> List[Dict[str, Any]]:
    """The buttons of the bot messages sent since the follower's previous message, in the order shown."""
    events = list(tracker.events)
    user_indexes = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not user_indexes:
        return []
    end = user_indexes[-1]
    start = user_indexes[-2] + 1 if len(user_indexes) > 1 else 0
    buttons: List[Dict[str, Any]] = []
    for event in events[start:end]:
        if event.get("event") == "bot":
            buttons.extend((event.get("data") or {}).get("buttons") or [])
    return buttons


def chosen_index(tracker: Tracker) -> Optional[int]:
    """The option number from NLU (`option_number` entity, normalised to digits by the NLU pipeline)."""
    value = entity_value(tracker, "option_number")
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def chosen_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the button the follower's number picks ("/affirm" → affirm), for a form question that
    offered buttons: the form's validator reads the answer, as its slot mapping would for the words."""
    buttons, index = offered_buttons(tracker), chosen_index(tracker)
    if index is None or not 1 <= index <= len(buttons):
        return None
    match = _PAYLOAD.match(str(buttons[index - 1].get("payload") or "").strip())
    return match.group(1) if match else None


def user_turn_for(payload: str) -> List[Dict[Text, Any]]:
    """Events that make the policy act as if the follower had sent `payload` ("/intent{json}") just now.

    A number and the answer it stands for are then two user turns, so confirmations are conditioned on a slot
    (`awaiting_confirmation`), not on the action right before the answer."""
    match = _PAYLOAD.match(payload.strip())
    if not match:
        return []
    values = json.loads(match.group(2)) if match.group(2) else {}
    entities = [{"entity": key, "value": value, "start": 0, "end": 0} for key, value in values.items()]
    return replayed_message({"intent": {"name": match.group(1)}, "entities": entities, "text": payload})


def replayed_message(message: Dict[str, Any]) -> List[Dict[Text, Any]]:
    """Events that make the policy act on an earlier message again (text, intent and entities as NLU read them)."""
    parse_data = {"intent": dict(message["intent"], confidence=1.0), "entities": message.get("entities") or [],
                  "text": message.get("text") or ""}
    return [ActionExecuted("action_listen"), UserUttered(text=parse_data["text"], parse_data=parse_data)]


class ActionChooseOption(Action):
    def name(self) -> Text:
        return "action_choose_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        from actions.surveys import outbound_choice_payload

        # A survey the campaign runner sent is not in the conversation but is the latest question: it takes the number.
        survey_answer = outbound_choice_payload(tracker, chosen_index(tracker))
        if survey_answer == "":
            dispatcher.utter_message(response="utter_survey_ask_score")
            return []
        if survey_answer:
            return user_turn_for(survey_answer)
        buttons = offered_buttons(tracker)
        if not buttons:
            if tracker.active_loop_name:  # the form's own numbered question (lines, slots, flights) reads the number
                return []
            dispatcher.utter_message(response="utter_nothing_to_choose")
            return []
        index = chosen_index(tracker)
        if index is None or not 1 <= index <= len(buttons):
            # the same options again, so they stay the current question
            dispatcher.utter_message(response="utter_no_such_option", number=index if index is not None else "",
                                     count=len(buttons), buttons=buttons)
            return []
        payload = str(buttons[index - 1].get("payload") or "")
        if payload.startswith(RESPONSE_PAYLOAD_PREFIX):
            dispatcher.utter_message(response=payload[len(RESPONSE_PAYLOAD_PREFIX):])
            return []
        return user_turn_for(payload)
