"""Binding a WeChat follower to a customer: the form, its validation, re-binding, unbinding, showing it.

The code is checked (and the binding written) inside the validator, so no slot a follower can fill ever
stands in for a verified code; the form then finishes with a sentinel the submit action reports on.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import bound_customer, entity_value
from actions.choices import replayed_message
from bot import clock
from bot.backends import get_crm, get_verification
from bot.privacy import mask_mobile, mask_name
from bot.verification import EXPIRED, LOCKED, NO_CODE, VERIFIED, WRONG

VERIFIED_SLOT_VALUE = "verified"
RESUMED_BY_RULE = "action_start_fault_report"   # pending flows that continue in a form rather than by replay
LOCKED_SLOT_VALUE = "locked"
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_DIGITS = re.compile(r"\d+")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def _locked_reply(dispatcher: CollectingDispatcher, until: datetime) -> None:
    dispatcher.utter_message(response="utter_bind_locked", until=f"{until:%H:%M}")


class ValidateBindAccountForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_bind_account_form"

    async def validate_phone_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        found = _MOBILE.search(text)
        if not found:
            digits = "".join(_DIGITS.findall(text))
            if digits and len(digits) != 11:
                dispatcher.utter_message(response="utter_phone_wrong_length", length=len(digits))
            else:
                dispatcher.utter_message(response="utter_phone_invalid")
            return {"phone_number": None}
        mobile = found.group(0)
        if get_crm().customer_by_mobile(mobile) is None:
            dispatcher.utter_message(response="utter_phone_not_customer", masked_mobile=mask_mobile(mobile))
            return {"phone_number": None}
        verification = get_verification()
        wait_until = verification.send_code(tracker.sender_id, mobile)
        if wait_until is not None:
            locked = verification.locked_until(tracker.sender_id)
            if locked:
                _locked_reply(dispatcher, locked)
                return {"phone_number": mobile, "verification_code": LOCKED_SLOT_VALUE}
            seconds = max(int((wait_until - clock.now()).total_seconds()), 1)
            dispatcher.utter_message(response="utter_code_resend_wait", seconds=seconds)
        return {"phone_number": mobile}

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if entity_value(tracker, "phone_number"):  # a corrected number: the phone validator sends a new code
            return {"verification_code": None}
        found = _CODE.search(str(value or ""))
        if not found:
            dispatcher.utter_message(response="utter_code_invalid_format")
            return {"verification_code": None}
        verification = get_verification()
        result = verification.check(tracker.sender_id, found.group(0))
        mobile = tracker.get_slot("phone_number")
        if result.outcome == VERIFIED and result.mobile == mobile:
            customer = get_crm().customer_by_mobile(result.mobile)
            get_crm().bind_openid(tracker.sender_id, customer.customer_id)  # type: ignore[union-attr]
            return {"verification_code": VERIFIED_SLOT_VALUE}
        if result.outcome == WRONG:
            dispatcher.utter_message(response="utter_code_wrong", tries_left=result.tries_left)
        elif result.outcome == LOCKED:
            _locked_reply(dispatcher, result.locked_until)  # type: ignore[arg-type]
            return {"verification_code": LOCKED_SLOT_VALUE}
        elif result.outcome in (EXPIRED, NO_CODE) and mobile:
            verification.send_code(tracker.sender_id, mobile)
            dispatcher.utter_message(response="utter_code_expired")
        return {"verification_code": None}


class ActionAskPhoneNumber(Action):
    def name(self) -> Text:
        return "action_ask_phone_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        current = bound_customer(tracker)
        if current is not None:
            dispatcher.utter_message(response="utter_rebind_notice", masked_mobile=mask_mobile(current.mobile))
        dispatcher.utter_message(response="utter_ask_phone_number")
        return []


class ActionAskVerificationCode(Action):
    def name(self) -> Text:
        return "action_ask_verification_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_ask_verification_code", masked_mobile=mask_mobile(tracker.get_slot("phone_number") or ""))
        return []


def _clear_form_slots() -> List[Dict[Text, Any]]:
    return [SlotSet("phone_number", None), SlotSet("verification_code", None), SlotSet("requested_slot", None)]


class ActionBindAccount(Action):
    """Submit: report the outcome and, after a successful binding, answer the question that needed it."""

    def name(self) -> Text:
        return "action_bind_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        events = _clear_form_slots()
        pending: Optional[str] = tracker.get_slot("pending_action")
        customer = bound_customer(tracker)
        if tracker.get_slot("verification_code") != VERIFIED_SLOT_VALUE or customer is None:
            return events + [SlotSet("pending_action", None)]  # the validator already said why (locked)
        dispatcher.utter_message(response="utter_bind_success", masked_mobile=mask_mobile(customer.mobile))
        if pending == RESUMED_BY_RULE:
            return events + [SlotSet("pending_action", pending)]  # a rule goes back to the fault report
        events += [SlotSet("pending_action", None), SlotSet("pending_request", None)]
        request = tracker.get_slot("pending_request")
        if pending and isinstance(request, dict) and request.get("intent", {}).get("name"):
            events += replayed_message(request)  # the request that needed the binding, with all it said
        return events


class ActionCancelBinding(Action):
    def name(self) -> Text:
        return "action_cancel_binding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        from rasa_sdk.events import ActiveLoop

        dispatcher.utter_message(response="utter_bind_cancelled")
        return [ActiveLoop(None)] + _clear_form_slots() + [SlotSet("pending_action", None), SlotSet("pending_request", None)]


class ActionUnbindAccount(Action):
    def name(self) -> Text:
        return "action_unbind_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        if customer is None:
            dispatcher.utter_message(response="utter_not_bound")
            return []
        get_crm().unbind_openid(tracker.sender_id)
        dispatcher.utter_message(response="utter_unbind_success", masked_mobile=mask_mobile(customer.mobile))
        return []


class ActionShowBinding(Action):
    def name(self) -> Text:
        return "action_show_binding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        if customer is None:
            dispatcher.utter_message(response="utter_not_bound")
        else:
            dispatcher.utter_message(response="utter_show_binding", masked_mobile=mask_mobile(customer.mobile), name=mask_name(customer.name))
        return []

