"""Reminder consent in the dialogue: opt in (needs a bound account), opt out, and what the follower receives.

Every choice is recorded through the consent registry (bot.backends) with its China time; the latest one counts,
and the reminder source (bot/engagement/reminders.py) reads the same registry.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import bound_customer
from actions.queries import BoundQueryAction
from actions.wording import time_text
from bot import clock
from bot.backends import get_consent
from bot.backends.consent import OUTAGE_NOTICES, USAGE_REMINDERS
from bot.backends.crm import Customer
from bot.privacy import mask_mobile


class ActionOptInReminders(BoundQueryAction):
    """Reminders are about the bound account, so an unbound follower binds first and the request is replayed."""

    def name(self) -> Text:
        return "action_opt_in_reminders"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        registry = get_consent()
        masked = mask_mobile(customer.mobile)
        current = registry.latest(tracker.sender_id, USAGE_REMINDERS)
        if current is not None and current.granted:
            dispatcher.utter_message(response="utter_reminders_already_on", masked_mobile=masked, since=time_text(domain, current.at))
            return
        registry.record(tracker.sender_id, USAGE_REMINDERS, True, clock.now())
        dispatcher.utter_message(response="utter_reminders_on", masked_mobile=masked)


class ActionOptOutReminders(Action):
    """Anyone may refuse reminders, bound or not; the refusal is recorded even when nothing was on."""

    def name(self) -> Text:
        return "action_opt_out_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        registry = get_consent()
        current = registry.latest(tracker.sender_id, USAGE_REMINDERS)
        registry.record(tracker.sender_id, USAGE_REMINDERS, False, clock.now())
        was_on = current is not None and current.granted
        dispatcher.utter_message(response="utter_reminders_off" if was_on else "utter_reminders_were_off")
        return []


class ActionShowSubscriptions(Action):
    def name(self) -> Text:
        return "action_show_subscriptions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        registry = get_consent()
        reminders = registry.latest(tracker.sender_id, USAGE_REMINDERS)
        if reminders is not None and reminders.granted:
            dispatcher.utter_message(response="utter_subscriptions_reminders_on", since=time_text(domain, reminders.at))
        else:
            dispatcher.utter_message(response="utter_subscriptions_reminders_off")
        outages = registry.latest(tracker.sender_id, OUTAGE_NOTICES)   # sent unless refused, to bound followers
        if outages is not None and not outages.granted:
            dispatcher.utter_message(response="utter_subscriptions_outage_off")
        elif bound_customer(tracker) is None:
            dispatcher.utter_message(response="utter_subscriptions_outage_unbound")
        else:
            dispatcher.utter_message(response="utter_subscriptions_outage_on")
        return []
