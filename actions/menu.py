"""Shows a numbered menu from data/menus.yml and remembers which one the follower saw last."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import menu_choices
from bot.menus import load_menus

MAIN_MENU = "main"


class ActionShowMenu(Action):
    def name(self) -> Text:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        menu = load_menus()[MAIN_MENU]
        dispatcher.utter_message(text=menu.render())
        return [SlotSet("last_menu", menu.name), SlotSet("choices", menu_choices(menu.name))]
