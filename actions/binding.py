"""Binding a WeChat follower to a customer: the form, its validation, re-binding, unbinding, showing it.

The code is checked (and the binding written) inside the validator, so no slot a follower can fill ever
stands in for a verified code; the form then finishes with a sentinel the submit action reports on.
A number that is not a customer's is answered exactly like a customer's (it just gets no SMS, and any code typed
for it is wrong), so the form tells nobody whether a number is a customer's.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import bound_customer, entity_value
from actions.choices import replayed_message
from actions.wording import phrase, time_text
from bot import clock
from bot.backends import get_crm, get_verification
from bot.code_secret import refuse_production_without_secret
from bot.phone_numbers import digit_count, find_code, find_mobile
from bot.privacy import mask_mobile, mask_name
from bot.verification import EXPIRED, LIMITED, LOCKED, NO_CODE, NUMBER_LOCKED, SENT, VERIFIED, WAIT, WRONG

VERIFIED_SLOT_VALUE = "verified"
RESUMED_BY_RULE = "action_start_fault_report"   # pending flows that continue in a form rather than by replay
LOCKED_SLOT_VALUE = "locked"
SMS_TEMPLATE = "utter_sms_bind_code"   # the SMS text, worded in the domain like every reply

refuse_production_without_secret()   # the action server does not start in production without BOT_CODE_SECRET


def _locked_reply(dispatcher: CollectingDispatcher, until: datetime) -> None:
    dispatcher.utter_message(response="utter_bind_locked", until=f"{until:%H:%M}")


def _refusal_reply(dispatcher: CollectingDispatcher, domain: DomainDict, outcome: str, until: datetime) -> None:
    """Why no code can be sent or checked now, and when to try again (China time)."""
    if outcome == LOCKED:
        _locked_reply(dispatcher, until)
    elif outcome == NUMBER_LOCKED:
        dispatcher.utter_message(response="utter_bind_number_locked", until=time_text(domain, until))
    elif outcome == LIMITED:
        dispatcher.utter_message(response="utter_code_limit_reached", until=time_text(domain, until))


def _request_code(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, mobile: str) -> str:
    """Ask for a code for `mobile` and say why none was sent; only a customer's number gets an SMS, silently."""
    is_customer = get_crm().customer_by_mobile(mobile) is not None
    result = get_verification().request_code(tracker.sender_id, mobile, phrase(domain, SMS_TEMPLATE), deliver=is_customer)
    if result.outcome == WAIT:
        seconds = max(int((result.until - clock.now()).total_seconds()), 1)  # type: ignore[operator]
        dispatcher.utter_message(response="utter_code_resend_wait", seconds=seconds)
    elif result.outcome != SENT:
        _refusal_reply(dispatcher, domain, result.outcome, result.until)  # type: ignore[arg-type]
    return result.outcome


class ValidateBindAccountForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_bind_account_form"

    async def validate_phone_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        mobile = find_mobile(text)
        if mobile is None:
            digits = digit_count(text)
            if digits and digits != 11:
                dispatcher.utter_message(response="utter_phone_wrong_length", length=digits)
            else:
                dispatcher.utter_message(response="utter_phone_invalid")
            return {"phone_number": None}
        if _request_code(dispatcher, tracker, domain, mobile) in (SENT, WAIT):
            return {"phone_number": mobile}
        return {"phone_number": mobile, "verification_code": LOCKED_SLOT_VALUE}

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if entity_value(tracker, "phone_number"):  # a corrected number: the phone validator sends a new code
            return {"verification_code": None}
        code = find_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_code_invalid_format")
            return {"verification_code": None}
        mobile = tracker.get_slot("phone_number") or ""
        result = get_verification().check(tracker.sender_id, mobile, code)
        customer = get_crm().customer_by_mobile(mobile) if result.outcome == VERIFIED else None
        if customer is not None:
            get_crm().bind_openid(tracker.sender_id, customer.customer_id)
            return {"verification_code": VERIFIED_SLOT_VALUE}
        if result.outcome == WRONG:
            dispatcher.utter_message(response="utter_code_wrong", tries_left=result.tries_left)
        elif result.outcome in (LOCKED, NUMBER_LOCKED):
            _refusal_reply(dispatcher, domain, result.outcome, result.locked_until)  # type: ignore[arg-type]
            return {"verification_code": LOCKED_SLOT_VALUE}
        elif result.outcome in (EXPIRED, NO_CODE) and mobile:
            outcome = _request_code(dispatcher, tracker, domain, mobile)
            if outcome == SENT:
                dispatcher.utter_message(response="utter_code_expired")
            elif outcome != WAIT:
                return {"verification_code": LOCKED_SLOT_VALUE}
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

