"""Helpers every flow shares: who the follower is bound to, and formatting for Chinese replies."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.backends import get_crm
from bot.backends.crm import Customer

AWAITING = "awaiting_confirmation"   # the yes/no question now open; rules answer it (data/rules/*.yml)
OFFER_HUMAN = "offer_human"   # its value after two misunderstandings offered a person (a yes takes it)


def bound_customer(tracker: Tracker) -> Optional[Customer]:
    """The customer bound to this follower's OpenID (the Rasa sender id) — never anyone else's."""
    return get_crm().customer_for_openid(tracker.sender_id)


def start_binding_then(action_name: Text, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Insert binding before the follower's request (a rule starts the form when `pending_action` is set).

    The request itself, its text and what NLU found in it (month, ticket number, seat, line…), is kept in
    `pending_request`; once bound, the binding action replays it as the follower's message, so the request is
    answered exactly as asked.
    """
    dispatcher.utter_message(response="utter_bind_needed")
    return [SlotSet("pending_action", action_name), SlotSet("pending_request", kept_request(tracker.latest_message or {}))]


def kept_request(message: Dict[Text, Any]) -> Dict[Text, Any]:
    """What of a message is kept to act on later: its text and what NLU read in it."""
    return {"text": message.get("text") or "", "intent": message.get("intent") or {}, "entities": message.get("entities") or []}


def yuan(amount: Decimal) -> str:
    """Two decimals, as every amount in the chat is shown."""
    return f"{amount:.2f}"


def latest_text(tracker: Tracker) -> Text:
    return tracker.latest_message.get("text") or ""


def entity_value(tracker: Tracker, entity: Text) -> Optional[Any]:
    return entities_of(tracker.latest_message or {}, entity)


def entity_values(tracker: Tracker, entity: Text) -> List[Any]:
    """Every value NLU found for `entity` in the latest message, in the order they were typed."""
    found = sorted((e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == entity),
                   key=lambda e: e.get("start") or 0)
    return [e.get("value") for e in found]


def entities_of(message: Dict[Text, Any], entity: Text) -> Optional[Any]:
    """The value NLU found for `entity` in a message's parse data (the latest one, or one kept for later)."""
    return next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == entity), None)


def latest_user_metadata(tracker: Tracker) -> Dict[Text, Any]:
    """Metadata the input channel attached to the follower's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata") or {}
    return {}
