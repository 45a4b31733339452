"""Repair-ticket progress, urging, cancelling and rating — only ever for the bound customer's own tickets."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AWAITING, start_binding_then, bound_customer, entity_value, latest_text
from actions.queries import BoundQueryAction
from bot import clock
from bot.backends import get_crm, get_repairs
from bot.backends.crm import Customer, FaultTicket

_TICKET = re.compile(r"[A-Za-z]{2}\d{13}")


def _own_ticket(customer: Customer, ticket_no: Optional[str]) -> Optional[FaultTicket]:
    if not ticket_no:
        return None
    return next((t for t in get_crm().tickets_for_customer(customer.customer_id) if t.ticket_no == ticket_no.upper()), None)


def _typed_ticket_number(tracker: Tracker) -> Optional[str]:
    value = entity_value(tracker, "ticket_number")
    if value:
        return str(value).upper()
    found = _TICKET.search(latest_text(tracker))
    return found.group(0).upper() if found else None


def _details(ticket: FaultTicket) -> str:
    technician = get_crm().technician(ticket.technician_id) if ticket.technician_id else None
    who = f"\n维修师傅：{technician.name} {technician.phone}" if technician else ""
    when = f"\n预计上门：{ticket.expected_arrival:%m月%d日 %H:%M}" if ticket.expected_arrival and ticket.status != "已完成" else ""
    return f"工单 {ticket.ticket_no}（{ticket.symptom}）\n状态：{ticket.status}{who}{when}"


def _target(customer: Customer, tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[FaultTicket]:
    """The typed ticket number (checked to be the customer's), else the only open ticket; None after saying why."""
    typed = _typed_ticket_number(tracker)
    if typed:
        ticket = _own_ticket(customer, typed)
        if ticket is None:
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_no=typed)
        return ticket
    tickets = get_crm().tickets_for_customer(customer.customer_id, open_only=True)
    if not tickets:
        dispatcher.utter_message(response="utter_no_open_tickets")
        return None
    if len(tickets) > 1:
        dispatcher.utter_message(response="utter_which_ticket", tickets="\n".join(f"· {t.ticket_no}（{t.status}）" for t in tickets))
        return None
    return tickets[0]


class ActionQueryTicket(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_ticket"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        typed = _typed_ticket_number(tracker)
        if typed:
            ticket = _own_ticket(customer, typed)
            if ticket:
                dispatcher.utter_message(response="utter_ticket_detail", details=_details(ticket))
            else:
                dispatcher.utter_message(response="utter_ticket_not_found", ticket_no=typed)
            return
        tickets = get_crm().tickets_for_customer(customer.customer_id, open_only=True)
        if not tickets:
            dispatcher.utter_message(response="utter_no_open_tickets")
        elif len(tickets) == 1:
            dispatcher.utter_message(response="utter_ticket_detail", details=_details(tickets[0]))
        else:
            dispatcher.utter_message(response="utter_ticket_list", count=len(tickets), details="\n\n".join(_details(t) for t in tickets).replace("\n\n", "\n——\n"))


class ActionUrgeTicket(BoundQueryAction):
    def name(self) -> Text:
        return "action_urge_ticket"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        ticket = _target(customer, tracker, dispatcher)
        if ticket is None:
            return
        result = get_repairs().urge(ticket.ticket_no, clock.now())
        if result.accepted:
            dispatcher.utter_message(response="utter_ticket_urged", ticket_no=ticket.ticket_no)
        elif result.next_allowed:
            dispatcher.utter_message(response="utter_ticket_urge_too_soon", next_allowed=f"{result.next_allowed:%H:%M}")
        else:
            dispatcher.utter_message(response="utter_ticket_not_open", ticket_no=ticket.ticket_no, status=ticket.status)


class ActionConfirmCancelTicket(Action):
    def name(self) -> Text:
        return "action_confirm_cancel_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        if customer is None:
            return start_binding_then(self.name(), dispatcher, tracker) + [SlotSet("ticket_to_cancel", None), SlotSet(AWAITING, None)]
        ticket = _target(customer, tracker, dispatcher)
        if ticket is None:
            return [SlotSet("ticket_to_cancel", None), SlotSet("pending_action", None), SlotSet(AWAITING, None)]
        dispatcher.utter_message(response="utter_confirm_cancel_ticket", details=_details(ticket))
        return [SlotSet("ticket_to_cancel", ticket.ticket_no), SlotSet("pending_action", None), SlotSet(AWAITING, "cancel_ticket")]


class ActionCancelTicket(Action):
    def name(self) -> Text:
        return "action_cancel_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        customer = bound_customer(tracker)
        ticket = _own_ticket(customer, tracker.get_slot("ticket_to_cancel")) if customer else None
        if ticket is not None and get_repairs().cancel(ticket.ticket_no):
            dispatcher.utter_message(response="utter_ticket_cancelled", ticket_no=ticket.ticket_no)
        else:
            dispatcher.utter_message(response="utter_ticket_not_cancellable")
        return [SlotSet("ticket_to_cancel", None), SlotSet(AWAITING, None)]


class ActionKeepTicket(Action):
    def name(self) -> Text:
        return "action_keep_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if tracker.get_slot("ticket_to_cancel"):
            dispatcher.utter_message(response="utter_ticket_kept", ticket_no=tracker.get_slot("ticket_to_cancel"))
        else:
            dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("ticket_to_cancel", None), SlotSet(AWAITING, None)]


class ActionRateTicket(BoundQueryAction):
    def name(self) -> Text:
        return "action_rate_ticket"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        stars_entity = entity_value(tracker, "stars")   # digits, or words mapped to digits by NLU synonyms
        stars = int(str(stars_entity)) if stars_entity is not None and str(stars_entity).isdigit() else None
        done = [t for t in get_crm().tickets_for_customer(customer.customer_id) if t.status == "已完成"]
        if not done:
            dispatcher.utter_message(response="utter_nothing_to_rate")
            return
        if stars is None:
            dispatcher.utter_message(response="utter_ask_stars", ticket_no=done[0].ticket_no)
            return
        comment = latest_text(tracker).strip()  # the follower's own words go with the rating
        if get_repairs().rate(done[0].ticket_no, stars, comment):
            dispatcher.utter_message(response="utter_rating_saved", stars="★" * stars, ticket_no=done[0].ticket_no)
        else:
            dispatcher.utter_message(response="utter_already_rated", ticket_no=done[0].ticket_no)



