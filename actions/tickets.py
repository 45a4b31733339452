"""Repair-ticket progress, urging, cancelling and rating — only ever for the bound customer's own tickets."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AWAITING, start_binding_then, bound_customer, entity_value, latest_text
from actions.wording import phrase, time_text
from actions.queries import BoundQueryAction
from bot import clock
from bot.backends import get_crm, get_repairs
from bot.backends.crm import Customer, FaultTicket


def _own_ticket(customer: Customer, ticket_no: Optional[str]) -> Optional[FaultTicket]:
    if not ticket_no:
        return None
    return next((t for t in get_crm().tickets_for_customer(customer.customer_id) if t.ticket_no == ticket_no.upper()), None)


def _typed_ticket_number(tracker: Tracker) -> Optional[str]:
    value = entity_value(tracker, "ticket_number")
    return str(value).upper() if value else None


def _details(ticket: FaultTicket, domain: DomainDict) -> str:
    """A ticket as the follower reads it: number, fault, status, then technician and visit time when known."""
    parts = [phrase(domain, "utter_part_ticket", ticket_no=ticket.ticket_no, symptom=ticket.symptom, status=ticket.status)]
    technician = get_crm().technician(ticket.technician_id) if ticket.technician_id else None
    if technician:
        parts.append(phrase(domain, "utter_part_ticket_technician", name=technician.name, phone=technician.phone))
    if ticket.expected_arrival and not ticket.is_done:
        parts.append(phrase(domain, "utter_part_ticket_arrival", time=time_text(domain, ticket.expected_arrival)))
    return "\n".join(parts)


def _target(customer: Customer, tracker: Tracker, dispatcher: CollectingDispatcher,
            domain: DomainDict) -> Optional[FaultTicket]:
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
        dispatcher.utter_message(response="utter_which_ticket", tickets="\n".join(
            phrase(domain, "utter_part_ticket_choice", ticket_no=t.ticket_no, status=t.status) for t in tickets))
        return None
    return tickets[0]


class ActionQueryTicket(BoundQueryAction):
    def name(self) -> Text:
        return "action_query_ticket"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        typed = _typed_ticket_number(tracker)
        if typed:
            ticket = _own_ticket(customer, typed)
            if ticket:
                dispatcher.utter_message(response="utter_ticket_detail", details=_details(ticket, domain))
            else:
                dispatcher.utter_message(response="utter_ticket_not_found", ticket_no=typed)
            return
        tickets = get_crm().tickets_for_customer(customer.customer_id, open_only=True)
        if not tickets:
            dispatcher.utter_message(response="utter_no_open_tickets")
        elif len(tickets) == 1:
            dispatcher.utter_message(response="utter_ticket_detail", details=_details(tickets[0], domain))
        else:
            separator = "\n" + phrase(domain, "utter_part_ticket_separator") + "\n"
            dispatcher.utter_message(response="utter_ticket_list", count=len(tickets),
                                     details=separator.join(_details(t, domain) for t in tickets))


class ActionUrgeTicket(BoundQueryAction):
    def name(self) -> Text:
        return "action_urge_ticket"

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        ticket = _target(customer, tracker, dispatcher, domain)
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
        ticket = _target(customer, tracker, dispatcher, domain)
        if ticket is None:
            return [SlotSet("ticket_to_cancel", None), SlotSet("pending_action", None), SlotSet(AWAITING, None)]
        dispatcher.utter_message(response="utter_confirm_cancel_ticket", details=_details(ticket, domain))
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        """「4星」 while a satisfaction survey is the current question answers that survey (no binding needed)."""
        from actions.surveys import ActionAnswerSurvey, current_survey

        if entity_value(tracker, "ticket_number") is None and current_survey(tracker) is not None:
            return await ActionAnswerSurvey().run(dispatcher, tracker, domain) + [SlotSet("pending_action", None)]
        return await super().run(dispatcher, tracker, domain)

    def answer(self, customer: Customer, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> None:
        stars_entity = entity_value(tracker, "stars")   # digits, or words mapped to digits by NLU synonyms
        stars = int(str(stars_entity)) if stars_entity is not None and str(stars_entity).isdigit() else None
        done = [t for t in get_crm().tickets_for_customer(customer.customer_id) if t.is_done]
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



