"""Numbered options: remembering the list a follower last saw, and acting on a reply of just its number."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text
from bot.menus import load_menus
from bot.replies import reply

_CN_NUMBERS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "十": "10", "零": "0"}
_NUMBER = re.compile(r"(\d{1,2}|[一二两三四五六七八九十零])")
_PAYLOAD = re.compile(r"^/([\w-]+)(\{.*\})?$", re.S)


def choices_from_buttons(buttons: List[Dict[str, Any]]) -> SlotSet:
    """The `choices` slot for a message whose buttons are shown as 1., 2., …"""
    return SlotSet("choices", [{"key": str(i), "title": b["title"], "payload": b["payload"]} for i, b in enumerate(buttons, start=1)])


def chosen_number(text: str) -> Optional[str]:
    found = _NUMBER.search(text or "")
    if not found:
        return None
    return _CN_NUMBERS.get(found.group(1), found.group(1))


def user_turn_for(payload: str) -> List[Dict[Text, Any]]:
    """Events that make the policy act as if the follower had said `payload` ("/intent{json}") just now."""
    match = _PAYLOAD.match(payload.strip())
    if not match:
        return []
    intent = match.group(1)
    values = json.loads(match.group(2)) if match.group(2) else {}
    entities = [{"entity": key, "value": value, "start": 0, "end": 0} for key, value in values.items()]
    parse_data = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities, "text": payload}
    return [ActionExecuted("action_listen"), UserUttered(text=payload, parse_data=parse_data)]


class ActionChooseOption(Action):
    def name(self) -> Text:
        return "action_choose_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        choices = tracker.get_slot("choices") or []
        if not choices:
            dispatcher.utter_message(**reply("nothing_to_choose"))
            return []
        number = chosen_number(latest_text(tracker))
        choice = next((c for c in choices if number is not None and c.get("key") == number), None)
        if choice is None:
            dispatcher.utter_message(**reply("no_such_option", number=number or latest_text(tracker)))
            return []
        if choice.get("submenu"):
            menu = load_menus()[choice["submenu"]]
            dispatcher.utter_message(text=menu.render())
            return [SlotSet("last_menu", menu.name), SlotSet("choices", menu_choices(menu.name))]
        if choice.get("response"):
            dispatcher.utter_message(response=choice["response"])
            return []
        return user_turn_for(choice["payload"])  # the list stays: another number picks another item


def menu_choices(name: str) -> List[Dict[str, Any]]:
    choices = []
    for item in load_menus()[name].items:
        if item.submenu:
            choices.append({"key": item.key, "title": item.label, "submenu": item.submenu})
        else:
            choices.append({"key": item.key, "title": item.label, "payload": f"/{item.intent}"})
    return choices
