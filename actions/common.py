"""Helpers every flow shares: who the follower is bound to, and formatting for Chinese replies."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.backends import get_crm
from bot.backends.crm import Customer

def bound_customer(tracker: Tracker) -> Optional[Customer]:
    """The customer bound to this follower's OpenID (the Rasa sender id) — never anyone else's."""
    return get_crm().customer_for_openid(tracker.sender_id)


def start_binding_then(action_name: Text, dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """Take an unbound follower through binding (a rule starts the form when `pending_action` is set);
    `action_name` answers the original question afterwards."""
    dispatcher.utter_message(response="utter_bind_needed")
    return [SlotSet("pending_action", action_name)]


def yuan(amount: Decimal) -> str:
    """Two decimals, as every amount in the chat is shown."""
    return f"{amount:.2f}"


def latest_text(tracker: Tracker) -> Text:
    return tracker.latest_message.get("text") or ""


def entity_value(tracker: Tracker, entity: Text) -> Optional[Any]:
    return next(tracker.get_latest_entity_values(entity), None)
