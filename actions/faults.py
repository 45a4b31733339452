"""Broadband fault reports: pick the line, learn the symptom, diagnose, repair remotely or book a visit.

`fault_stage` tells the rules (data/rules/faults.yml) where the report goes next:
bind → the binding form; collect → the fault form; no_line → stop; outage / arrears → stop with an
explanation; check_fix → the follower checks after a remote repair; ticket → the visiting-slot form.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import bound_customer, entities_of, entity_value, kept_request, latest_user_metadata
from actions.wording import listed, phrase, time_text
from bot import clock
from bot.backends import get_crm, get_diagnostics, get_repairs
from bot.backends.crm import BroadbandLine, Customer
from bot.backends.diagnostics import AREA_OUTAGE, ARREARS, REMOTELY_FIXABLE
from bot.backends.repairs import VisitSlot

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")
MAX_SYMPTOM_CHARS = 60   # a description in the follower's own words goes on the ticket, bounded
MORNING_ENDS_AT = 12     # visiting slots starting before this hour are "上午" (day_period am)
OFFERED_SLOTS = 3        # listed to choose from by number
BOOKABLE_SLOTS = 14      # a week of half-day windows: a follower may name a day after the three offered


def _lines_text(broadband: List[BroadbandLine], domain: DomainDict) -> str:
    return listed(domain, "utter_part_line_option", ({"number": i, "account": line.account, "address": line.address}
                                                    for i, line in enumerate(broadband, start=1)))


def _slot_text(slot: VisitSlot, domain: DomainDict) -> str:
    """A visit window as the follower reads it, in China time."""
    starts, ends = (clock.aware(t).astimezone(clock.zone()) for t in (slot.starts, slot.ends))
    return phrase(domain, "utter_part_visit_slot", starts=time_text(domain, starts), ends=f"{ends:%H:%M}")


def _customer_line(customer: Customer, line_id: Optional[str]) -> Optional[BroadbandLine]:
    """The line, only if it belongs to this customer."""
    if not line_id:
        return None
    return next((line for line in get_crm().broadband_lines(customer.customer_id) if str(line.line_id) == str(line_id)), None)


class ActionStartFaultReport(Action):
    """Start a report; what the follower already said (symptom, broadband account) is kept across binding."""

    def name(self) -> Text:
        return "action_start_fault_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        resumed = tracker.get_slot("pending_action") == self.name()
        request = tracker.get_slot("pending_request") if resumed else None
        message = request if isinstance(request, dict) else (tracker.latest_message or {})
        symptom = entities_of(message, "fault_symptom")
        if customer is None:
            dispatcher.utter_message(response="utter_fault_bind_needed")
            return [SlotSet("fault_stage", "bind"), SlotSet("pending_action", self.name()),
                    SlotSet("pending_request", kept_request(message))]
        lines = get_crm().broadband_lines(customer.customer_id)
        if not lines:
            dispatcher.utter_message(response="utter_fault_no_line")
            return [SlotSet("fault_stage", "no_line"), SlotSet("pending_action", None), SlotSet("pending_request", None)]
        named = entities_of(message, "broadband_account")
        line = next((line for line in lines if line.account == named), lines[0] if len(lines) == 1 else None)
        return [SlotSet("fault_stage", "collect"), SlotSet("pending_action", None), SlotSet("pending_request", None),
                SlotSet("fault_photo", None), SlotSet("fault_line", str(line.line_id) if line else None),
                SlotSet("fault_symptom", symptom)]


class ActionAskFaultLine(Action):
    def name(self) -> Text:
        return "action_ask_fault_line"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        lines = get_crm().broadband_lines(customer.customer_id) if customer else []
        dispatcher.utter_message(response="utter_ask_fault_line", lines=_lines_text(lines, domain))
        return []


class ValidateFaultForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_fault_form"

    async def validate_fault_line(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        customer = bound_customer(tracker)
        lines = get_crm().broadband_lines(customer.customer_id) if customer else []
        text = str(value or "").strip()
        number = _NUMBER.match(text)
        if number and 1 <= int(number.group(1)) <= len(lines):
            return {"fault_line": str(lines[int(number.group(1)) - 1].line_id)}
        chosen = next((line for line in lines if line.account in text), None)
        if chosen is not None:
            return {"fault_line": str(chosen.line_id)}
        if _customer_line(customer, text) is not None:  # type: ignore[arg-type]
            return {"fault_line": text}
        dispatcher.utter_message(response="utter_fault_line_unknown")
        return {"fault_line": None}

    async def validate_fault_symptom(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # A category from NLU (fault_symptom entity, or a button), or a description that matches none, kept in the
        # follower's own words for the technician rather than asked again, so the report goes on to the diagnosis.
        description = str(value or "").strip()[:MAX_SYMPTOM_CHARS]
        return {"fault_symptom": description or None}


class ActionDiagnoseLine(Action):
    def name(self) -> Text:
        return "action_diagnose_line"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        line = _customer_line(customer, tracker.get_slot("fault_line")) if customer else None
        if line is None:
            dispatcher.utter_message(response="utter_fault_no_line")
            return [SlotSet("fault_stage", "no_line")]
        existing = get_repairs().open_ticket_for_line(line.line_id)
        if existing is not None:  # one open ticket per line: the follower gets the one in progress
            dispatcher.utter_message(response="utter_ticket_exists", ticket_no=existing.ticket_no, status=existing.status)
            return [SlotSet("fault_stage", "existing"), SlotSet("fault_ticket", existing.ticket_no)]
        dispatcher.utter_message(response="utter_fault_checking", account=line.account)
        diagnosis = get_diagnostics().diagnose(line)
        if diagnosis.finding == AREA_OUTAGE:
            dispatcher.utter_message(response="utter_fault_outage", restore_month=diagnosis.restore_at.month, restore_day=diagnosis.restore_at.day,
                                     restore_time=f"{diagnosis.restore_at:%H:%M}")
            return [SlotSet("fault_stage", "outage")]
        if diagnosis.finding == ARREARS:
            dispatcher.utter_message(response="utter_fault_arrears")
            return [SlotSet("fault_stage", "arrears")]
        if diagnosis.finding in REMOTELY_FIXABLE and get_diagnostics().remote_fix(line, diagnosis.finding):
            dispatcher.utter_message(response=f"utter_fault_fixed_{diagnosis.finding}")
            dispatcher.utter_message(response="utter_fault_check_now")
            return [SlotSet("fault_stage", "check_fix")]
        dispatcher.utter_message(response=f"utter_fault_found_{diagnosis.finding}")
        return [SlotSet("fault_stage", "ticket")]


class ActionCloseFault(Action):
    def name(self) -> Text:
        return "action_close_fault"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("fault_stage") != "check_fix":  # "it works" with no remote repair to confirm
            dispatcher.utter_message(response="utter_anything_else")
            return []
        dispatcher.utter_message(response="utter_fault_resolved")
        return [SlotSet("fault_stage", None), SlotSet("fault_line", None), SlotSet("fault_symptom", None)]


class ActionSubscribeRestoreNotice(Action):
    def name(self) -> Text:
        return "action_subscribe_restore_notice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        line = _customer_line(customer, tracker.get_slot("fault_line")) if customer else None
        if line is None:
            dispatcher.utter_message(response="utter_fault_no_line")
            return []
        if get_diagnostics().diagnose(line).finding != AREA_OUTAGE:   # no promise for an outage that is not there
            dispatcher.utter_message(response="utter_restore_notice_no_outage")
            return []
        get_repairs().subscribe_restore_notice(line.line_id, tracker.sender_id)
        dispatcher.utter_message(response="utter_restore_notice_recorded")
        return []


class ActionAskVisitSlot(Action):
    def name(self) -> Text:
        return "action_ask_visit_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        slots = get_repairs().visit_slots(int(tracker.get_slot("fault_line") or 0), clock.now(), OFFERED_SLOTS)
        options = listed(domain, "utter_part_option", ({"number": i, "option": _slot_text(slot, domain)}
                                                      for i, slot in enumerate(slots, start=1)))
        dispatcher.utter_message(response="utter_ask_visit_slot", options=options)
        return []


class ValidateVisitSlotForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_visit_slot_form"

    async def validate_visit_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        bookable = get_repairs().visit_slots(int(tracker.get_slot("fault_line") or 0), clock.now(), BOOKABLE_SLOTS)
        slots = bookable[:OFFERED_SLOTS]   # the ones listed, in the same order
        day, period = entity_value(tracker, "visit_day"), entity_value(tracker, "day_period")
        if day is not None or period is not None:  # "后天下午": the value is the day, not an option number
            named = _slot_named(bookable, day, period)
            if named is not None:
                return {"visit_slot": named.starts.isoformat()}
        else:
            number = _NUMBER.match(str(value or ""))
            if number and 1 <= int(number.group(1)) <= len(slots):
                return {"visit_slot": slots[int(number.group(1)) - 1].starts.isoformat()}
        dispatcher.utter_message(response="utter_visit_slot_unknown", count=len(slots))
        return {"visit_slot": None}


def _slot_named(slots: List[VisitSlot], day: Optional[Any], period: Optional[Any]) -> Optional[VisitSlot]:
    """The first offered slot on the named day (offset from today, China time) and part of the day, if any."""
    today = clock.today()
    for slot in slots:
        starts = clock.aware(slot.starts).astimezone(clock.zone())
        if day is not None and str((starts.date() - today).days) != str(day):
            continue
        if period is not None and ("am" if starts.hour < MORNING_ENDS_AT else "pm") != str(period):
            continue
        return slot
    return None


class ActionCreateTicket(Action):
    def name(self) -> Text:
        return "action_create_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        line = _customer_line(customer, tracker.get_slot("fault_line")) if customer else None
        starts = tracker.get_slot("visit_slot")
        bookable = get_repairs().visit_slots(line.line_id, clock.now(), BOOKABLE_SLOTS) if line else []
        slot = next((s for s in bookable if s.starts.isoformat() == starts), None)
        if line is None or slot is None:
            dispatcher.utter_message(response="utter_visit_slot_expired")
            return [SlotSet("visit_slot", None)]
        result = get_repairs().open_ticket(line.line_id, tracker.get_slot("fault_symptom") or "", slot,
                                           tracker.get_slot("fault_photo"), clock.now())
        ticket = result.ticket
        if result.created:
            created = "utter_ticket_created_with_photo" if tracker.get_slot("fault_photo") else "utter_ticket_created"
            dispatcher.utter_message(response=created, ticket_no=ticket.ticket_no, slot=_slot_text(slot, domain))
        else:
            dispatcher.utter_message(response="utter_ticket_exists", ticket_no=ticket.ticket_no, status=ticket.status)
        return [SlotSet("fault_ticket", ticket.ticket_no), SlotSet("fault_stage", None), SlotSet("visit_slot", None),
                SlotSet("fault_symptom", None), SlotSet("fault_photo", None)]


class ActionAttachPhoto(Action):
    """A photo during a report goes on the ticket (now, or when the ticket is created)."""

    def name(self) -> Text:
        return "action_attach_photo"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        wechat = latest_user_metadata(tracker).get("wechat") or {}
        url = wechat.get("pic_url") or wechat.get("media_id")
        if not url:
            dispatcher.utter_message(response="utter_photo_missing")
            return []
        customer = bound_customer(tracker)
        if tracker.active_loop.get("name") in ("fault_form", "visit_slot_form") or tracker.get_slot("fault_stage"):
            dispatcher.utter_message(response="utter_photo_kept")
            return [SlotSet("fault_photo", url)]
        ticket_no = tracker.get_slot("fault_ticket")
        ticket = get_crm().ticket_by_number(ticket_no) if ticket_no else None
        if customer is not None and ticket is not None and _customer_line(customer, str(ticket.line_id)) is not None:
            get_repairs().attach_photo(ticket.ticket_no, url)
            dispatcher.utter_message(response="utter_photo_attached", ticket_no=ticket.ticket_no)
            return []
        dispatcher.utter_message(response="utter_photo_outside_report")
        return []
