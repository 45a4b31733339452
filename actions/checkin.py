"""Flight check-in: identify the passenger, pick the segment and the seat, issue the boarding pass;
show it again, change the seat, cancel the check-in.

The form's slots (checkin_form, required slots decided in `required_slots`): checkin_id (ID card or e-ticket),
checkin_surname, checkin_booking, seat_request, exit_row_ok (exit rows only), checkin_confirm. When there is
nothing to check in (every window closed, already checked in, identification locked) the validator fills the rest
with NOTHING and the submit action stays silent.

Proof of who the passenger is: a follower bound to the booking's own account (its ID card, or an e-ticket of its
bookings) is known by the binding and the surname is enough; anyone else gives the passenger's full name, matched
exactly (`checkin_surname` then holds the full name). Those attempts are counted per follower and per ID / e-ticket
number by the check-in back end (limits in data/checkin.yml), and a wrong answer never tells whether the number
exists. Showing, changing and cancelling a check-in use the same identified bookings.
"""
from __future__ import annotations

import abc
import logging
import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.choices import chosen_intent
from actions.common import AWAITING, bound_customer, entities_of
from actions.surveys import ask_checkin_survey
from actions.wording import listed, phrase, time_text
from bot import clock
from bot.backends import get_checkin, get_crm
from bot.backends.checkin import SeatTaken
from bot.backends.crm import FlightBooking
from bot.checkin_rules import (
    CLOSED,
    NOT_YET,
    OPEN,
    boarding_pass_code,
    load_checkin_rules,
    nearby_free_seats,
    SeatRequest,
    pick_seat,
    seat_map,
    seat_request_from,
)
from bot.id_card import is_valid_id_card
from bot.logs import log_event
from bot.privacy import mask_id_card, mask_name

logger = logging.getLogger(__name__)

NOTHING = "none"
FORM_SLOTS = ["checkin_id", "checkin_surname", "checkin_booking", "seat_request", "exit_row_ok", "checkin_confirm"]
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")      # the whole value of an id_card_number entity
_TICKET_SHAPE = re.compile(r"[0-9]{3}-?[0-9]{10}")  # the whole value of an eticket_number entity
MAX_NAME_ANSWER = 4   # characters: a name ("张伟", "欧阳娜娜") or the owner's surname in a short sentence, never a list of guesses
MIN_FULL_NAME = 2     # a full name has at least a surname and a given name


def _chinese(value: Any) -> str:
    """The Chinese characters of a slot value or a stored name (spaces, dots and punctuation left out)."""
    return "".join(ch for ch in str(value or "") if "\u4e00" <= ch <= "\u9fff")


def _bookings_for(identifier: str, name: str, owner: bool) -> List[FlightBooking]:
    """The bookings of `identifier` whose passenger is `name`: the surname for the bound owner, else the full name."""
    crm = get_crm()
    if len(identifier) == 18:
        found = crm.bookings_by_id_card(identifier)
    else:
        booking = crm.booking_by_ticket_number(identifier)
        found = [booking] if booking else []
    if not name:
        return []
    if owner:
        return [b for b in found if b.passenger_name.startswith(name)]
    return [b for b in found if _chinese(b.passenger_name) == _chinese(name)]


def _owns(tracker: Tracker, identifier: str) -> bool:
    """The follower is bound to the account the ID card or e-ticket belongs to: the binding already proves who it is."""
    customer = bound_customer(tracker)
    if customer is None or not identifier:
        return False
    return identifier == customer.id_card or any(b.ticket_number == identifier
                                                 for b in get_crm().bookings_for_customer(customer.customer_id))


def _open_bookings(bookings: List[FlightBooking]) -> List[FlightBooking]:
    rules = load_checkin_rules()
    return [b for b in bookings if rules.window_state(b.flight, clock.now()) == OPEN]


def _flight_line(booking: FlightBooking, domain: DomainDict) -> str:
    f = booking.flight
    return phrase(domain, "utter_part_flight", flight_no=f.flight_no, origin=f.origin, destination=f.destination,
                  departure=time_text(domain, f.departure))


def _identified_bookings(tracker: Tracker) -> List[FlightBooking]:
    identifier = tracker.get_slot("checkin_id") or ""
    return _bookings_for(identifier, tracker.get_slot("checkin_surname") or "", _owns(tracker, identifier))


def _booking(tracker: Tracker) -> Optional[FlightBooking]:
    """The booking the follower identified for (never someone else's: it must be among the identified ones)."""
    wanted = tracker.get_slot("checkin_booking")
    return next((b for b in _identified_bookings(tracker) if str(b.booking_id) == str(wanted)), None)


def _is_flight(booking: FlightBooking, flight_number: Any) -> bool:
    """A flight_number entity names this booking's flight: in full (CZ3101) or by its digits alone (3101那班)."""
    named = str(flight_number or "").strip().upper()
    flight = booking.flight.flight_no.upper()
    return bool(named) and (named == flight or (named.isdigit() and flight[2:] == named))


def _is_exit(booking: FlightBooking, seat_no: str) -> bool:
    return any(s.seat_no == seat_no and s.is_exit_row for s in get_crm().seat_map(booking.flight.flight_id))


def _finish_without_issuing() -> Dict[Text, Any]:
    return {"checkin_booking": NOTHING, "seat_request": NOTHING, "checkin_confirm": NOTHING}


def _locked_out(until: datetime, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
    """Too many failed identifications (this follower's, or against this number): say until when, offer the
    hotline and a person, and end the form without identifying anyone."""
    log_event(logger, "checkin.identification_locked", logging.WARNING, follower=tracker.sender_id, until=f"{until:%Y-%m-%d %H:%M}")
    dispatcher.utter_message(response="utter_checkin_identification_locked", until=time_text(domain, until))
    return {"checkin_id": NOTHING, "checkin_surname": NOTHING, **_finish_without_issuing()}


class ValidateCheckinForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_checkin_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        booking, seat = tracker.get_slot("checkin_booking"), tracker.get_slot("seat_request")
        needs_exit = False
        if booking not in (None, NOTHING) and seat not in (None, NOTHING):
            chosen = _booking(tracker)
            needs_exit = chosen is not None and _is_exit(chosen, seat)
        return [slot for slot in FORM_SLOTS if slot != "exit_row_ok" or needs_exit]

    async def validate_checkin_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # An ID-card or e-ticket entity fills the slot with just the number; anything else came from the whole text.
        number = str(value or "").strip().upper()
        if _ID_SHAPE.fullmatch(number):
            if not is_valid_id_card(number):
                dispatcher.utter_message(response="utter_id_card_invalid", masked=mask_id_card(number))
                return {"checkin_id": None}
        elif _TICKET_SHAPE.fullmatch(number):
            number = number.replace("-", "")
        else:
            dispatcher.utter_message(response="utter_checkin_id_unreadable")
            return {"checkin_id": None}
        result: Dict[Text, Any] = {"checkin_id": number}
        if tracker.get_slot("checkin_surname") and "checkin_surname" not in tracker.slots_to_validate():
            # another number later in the form: another passenger, proven afresh (and counted) before anything is shown
            result.update({slot: None for slot in FORM_SLOTS if slot != "checkin_id"})
        if not _owns(tracker, number):
            until = get_checkin().identification_locked_until(tracker.sender_id, number, load_checkin_rules().identification, clock.now())
            if until is not None:  # said now, rather than after the follower typed the name
                return _locked_out(until, dispatcher, tracker, domain)
        return result

    async def validate_checkin_surname(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # From the surname or passenger_name entity, or the whole short answer ("王芳", "张"). The bound owner's
        # surname is found in a short sentence as before ("我是张伟"); anyone else's answer must be the full name.
        identifier = tracker.get_slot("checkin_id") or ""
        if identifier == NOTHING:  # the number's validator found identification locked in this same message
            return {"checkin_surname": NOTHING}
        typed = _chinese(value)
        if not typed or len(typed) > MAX_NAME_ANSWER:
            dispatcher.utter_message(response="utter_surname_unreadable")
            return {"checkin_surname": None}
        if _owns(tracker, identifier):
            matched, bookings = _owner_bookings(identifier, typed)
        elif len(typed) < MIN_FULL_NAME:  # a surname alone proves nothing: not looked up, not counted
            dispatcher.utter_message(response="utter_checkin_full_name_needed")
            return {"checkin_surname": None}
        else:
            matched, (bookings, until) = typed, _counted_full_name_attempt(tracker.sender_id, identifier, typed)
            if until is not None and not bookings:
                return _locked_out(until, dispatcher, tracker, domain)
        if not bookings:  # the same answer whether the number exists or the name does not match
            dispatcher.utter_message(response="utter_passenger_not_found")
            return {"checkin_id": None, "checkin_surname": None}
        result: Dict[Text, Any] = {"checkin_surname": matched}
        rules = load_checkin_rules()
        open_ones = [b for b in bookings if rules.window_state(b.flight, clock.now()) == OPEN]
        if tracker.get_slot("checkin_mode") == "change":
            changeable = [b for b in open_ones if b.checked_in_at]
            if not changeable:
                dispatcher.utter_message(response="utter_nothing_to_change")
                return {**result, **_finish_without_issuing()}
            if len(changeable) == 1:
                result.update(self._chosen(changeable[0], dispatcher, tracker, domain))
                return result
            open_ones = changeable
        wished = [b for b in bookings if _is_flight(b, tracker.get_slot("flight_wish"))]
        if wished:  # the follower named the flight: only that one is reported on
            bookings = wished
            open_ones = [b for b in wished if b in open_ones]
        if tracker.get_slot("checkin_mode") == "cancel":  # identified to cancel: ask to confirm (rules answer it)
            return {**result, **_finish_without_issuing(), **_ask_to_cancel(bookings, dispatcher, domain)}
        if tracker.get_slot("checkin_mode") == "show":
            seated = [b for b in bookings if b.checked_in_at]
            if not seated:
                dispatcher.utter_message(response="utter_no_boarding_pass")
                return {**result, **_finish_without_issuing()}
            for booking in seated:
                send_boarding_pass(booking, dispatcher, header="utter_boarding_pass_header_again")
            return {**result, **_finish_without_issuing()}
        for booking in bookings:
            state = rules.window_state(booking.flight, clock.now())
            if state == NOT_YET:
                dispatcher.utter_message(response="utter_window_not_open", flight=_flight_line(booking, domain), opens=time_text(domain, rules.opens_at(booking.flight)))
            elif state == CLOSED:
                dispatcher.utter_message(response="utter_window_closed", flight=_flight_line(booking, domain))
        if not open_ones:
            return {**result, **_finish_without_issuing()}
        if len(open_ones) == 1:
            result.update(self._chosen(open_ones[0], dispatcher, tracker, domain))
        return result

    def _chosen(self, booking: FlightBooking, dispatcher: CollectingDispatcher, tracker: Tracker,
                domain: DomainDict) -> Dict[Text, Any]:
        if booking.checked_in_at and tracker.get_slot("checkin_mode") != "change":
            dispatcher.utter_message(response="utter_already_checked_in", flight=_flight_line(booking, domain), seat=booking.seat_no)
            return {"checkin_booking": str(booking.booking_id), "seat_request": NOTHING, "checkin_confirm": NOTHING}
        dispatcher.utter_message(response="utter_segment_chosen", flight=_flight_line(booking, domain))
        chosen: Dict[Text, Any] = {"checkin_booking": str(booking.booking_id)}
        wish = seat_wish_in({"entities": tracker.get_slot("seat_wish") or []})
        if wish is not None:  # said with the request ("值机，要靠过道"): proposed at once
            chosen.update(_propose_seat(wish, booking, dispatcher, domain))
        return chosen

    async def validate_checkin_booking(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == NOTHING:
            return {"checkin_booking": NOTHING}
        open_ones = _open_bookings(_identified_bookings(tracker))
        text = str(value or "").strip()
        if text.isdigit() and 1 <= int(text) <= len(open_ones):
            return self._chosen(open_ones[int(text) - 1], dispatcher, tracker, domain)
        if any(str(b.booking_id) == text for b in open_ones):
            return {"checkin_booking": text}
        by_flight = [b for b in open_ones if _is_flight(b, text)]
        if len(by_flight) == 1:
            return self._chosen(by_flight[0], dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_segment_unknown", count=len(open_ones))
        return {"checkin_booking": None}

    async def validate_seat_request(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == NOTHING:
            return {"seat_request": NOTHING}
        booking = _booking(tracker)
        if booking is None or value is None:
            return {"seat_request": None}
        request = seat_wish_in(tracker.latest_message)
        if request is None:
            dispatcher.utter_message(response="utter_seat_request_unreadable")
            return {"seat_request": None}
        return _propose_seat(request, booking, dispatcher, domain)

    async def validate_exit_row_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        value = _answer(value, tracker)
        if value == "no":
            dispatcher.utter_message(response="utter_exit_row_declined")
            return {"exit_row_ok": None, "seat_request": None}
        if value == "yes":
            return {"exit_row_ok": "yes"}
        dispatcher.utter_message(response="utter_yes_or_no")
        return {"exit_row_ok": None}

    async def validate_checkin_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == NOTHING:
            return {"checkin_confirm": NOTHING}
        value = _answer(value, tracker)
        if value == "no":
            # "那换成12C吧" / "换个靠窗的": the new wish, checked like any seat request
            wish = seat_wish_in(tracker.latest_message)
            booking = _booking(tracker)
            if wish is not None and booking is not None:
                return _propose_seat(wish, booking, dispatcher, domain)
            return {"checkin_confirm": None, "seat_request": None, "exit_row_ok": None}
        if value == "yes":
            return {"checkin_confirm": "yes"}
        dispatcher.utter_message(response="utter_yes_or_no")
        return {"checkin_confirm": None}


def _counted_full_name_attempt(follower: str, identifier: str, name: str) -> Tuple[List[FlightBooking], Optional[datetime]]:
    """Someone else's passenger, by the full name: one attempt counted by the back end (refused while the follower
    or the number is locked). The bookings found, and when a lock ends if identification is (now) locked."""
    desk, limits, now = get_checkin(), load_checkin_rules().identification, clock.now()
    until = desk.begin_identification(follower, identifier, limits, now)
    if until is not None:
        return [], until
    try:
        bookings = _bookings_for(identifier, name, owner=False)
    except Exception:
        desk.end_identification(follower, identifier, True, limits, now)  # the look-up failed: no guess was judged
        raise
    return bookings, desk.end_identification(follower, identifier, bool(bookings), limits, now)


def _owner_bookings(identifier: str, typed: str) -> Tuple[str, List[FlightBooking]]:
    """The bound owner's answer: the surname (two characters, then one) found in what was typed ("我是张伟")."""
    for candidate in (typed[i:i + size] for size in (2, 1) for i in range(len(typed) - size + 1)):
        bookings = _bookings_for(identifier, candidate, owner=True)
        if bookings:
            return candidate, bookings
    return typed, []


# The yes/no slots' from_intent mappings (domain/checkin.yml), applied to a button picked by its number.
_ANSWER_OF_INTENT = {"affirm": "yes", "deny": "no", "change_seat": "no"}


def _answer(value: Any, tracker: Tracker) -> Any:
    """yes/no as the slot mapping gave it, or as the button the follower picked by number stands for."""
    if value in ("yes", "no"):
        return value
    return _ANSWER_OF_INTENT.get(str(chosen_intent(tracker)), value)


def _propose_seat(request: SeatRequest, booking: FlightBooking, dispatcher: CollectingDispatcher,
                  domain: DomainDict) -> Dict[Text, Any]:
    """Check a wish against the seat map: propose a seat (then the confirmation is asked) or say why not."""
    seats = get_crm().seat_map(booking.flight.flight_id)
    if request.kind == "specific":
        seat = next((s for s in seats if s.seat_no == request.seat_no), None)
        if seat is None:
            dispatcher.utter_message(response="utter_seat_unknown", seat=request.seat_no)
            return {"seat_request": None}
        if not seat.is_free and seat.seat_no != booking.seat_no:
            dispatcher.utter_message(response="utter_seat_taken", seat=seat.seat_no, alternatives="、".join(nearby_free_seats(seats, seat.seat_no)))
            return {"seat_request": None}
    else:
        seat = pick_seat(seats, request, load_checkin_rules(), seed=f"{booking.booking_id}")
        if seat is None:
            dispatcher.utter_message(response="utter_seat_preference_full")
            return {"seat_request": None}
    dispatcher.utter_message(response="utter_seat_proposed", seat=seat.seat_no, map=seat_map(seats, seat.row, mark=seat.seat_no,
                                                                                          exit_mark=phrase(domain, "utter_part_exit_row_mark")))
    return {"seat_request": seat.seat_no, "exit_row_ok": None, "checkin_confirm": None}


SEAT_WISH_ENTITIES = ("seat_number", "seat_preference", "seat_row")


def seat_wish_in(message: Dict[Text, Any]) -> Optional[SeatRequest]:
    """The seat wish in a message's entities (the latest message, or the entities kept in the `seat_wish` slot)."""
    return seat_request_from(*(entities_of(message, name) for name in SEAT_WISH_ENTITIES))


def _wish_entities(message: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """The entities of a seat wish said together with the request, kept until a flight is chosen."""
    kept = [e for e in message.get("entities") or [] if e.get("entity") in SEAT_WISH_ENTITIES]
    return kept if seat_wish_in({"entities": kept}) else None


class _Ask(Action, abc.ABC):
    """Asks for one slot of the check-in form (Rasa calls `action_ask_<slot>`) with reply `ask_<slot>`."""

    @property
    @abc.abstractmethod
    def slot(self) -> str: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


class ActionAskCheckinId(_Ask):
    slot = "checkin_id"


class ActionAskCheckinSurname(_Ask):
    slot = "checkin_surname"


class ActionAskCheckinBooking(_Ask):
    slot = "checkin_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        options = listed(domain, "utter_part_option", ({"number": i, "option": _flight_line(b, domain)}
                                                       for i, b in enumerate(_open_bookings(_identified_bookings(tracker)), start=1)))
        dispatcher.utter_message(response="utter_ask_checkin_booking", options=options)
        return []


class ActionAskSeatRequest(_Ask):
    slot = "seat_request"


class ActionAskExitRowOk(_Ask):
    slot = "exit_row_ok"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_ask_exit_row_ok", seat=tracker.get_slot("seat_request"), conditions=load_checkin_rules().exit_row_conditions)
        return []


class ActionAskCheckinConfirm(_Ask):
    slot = "checkin_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        booking = _booking(tracker)
        dispatcher.utter_message(response="utter_ask_checkin_confirm", flight=_flight_line(booking, domain) if booking else "",
                                 seat=tracker.get_slot("seat_request"), passenger=mask_name(booking.passenger_name) if booking else "")
        return []


def _reset(*names: str) -> List[Dict[Text, Any]]:
    return [SlotSet(name, None) for name in names]


def send_boarding_pass(booking: FlightBooking, dispatcher: CollectingDispatcher, header: str = "utter_boarding_pass_header_issued") -> None:
    rules = load_checkin_rules()
    flight = booking.flight
    boarding = flight.departure - rules.boarding_before
    code = boarding_pass_code(booking)
    values = dict(flight=flight.flight_no, origin=flight.origin, destination=flight.destination,
                  year=flight.departure.year, month=flight.departure.month, day=flight.departure.day,
                  departure=f"{flight.departure:%H:%M}", gate=flight.gate, boarding=f"{boarding:%H:%M}", seat=booking.seat_no,
                  passenger=mask_name(booking.passenger_name), id_card=mask_id_card(booking.id_card), code=code)
    dispatcher.utter_message(response=header)
    dispatcher.utter_message(response="utter_boarding_pass", **values)  # WeChat's variant is an article


class ActionIssueBoardingPass(Action):
    def name(self) -> Text:
        return "action_issue_boarding_pass"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        seat = tracker.get_slot("seat_request")
        booking = _booking(tracker)
        done = _reset("seat_request", "exit_row_ok", "checkin_confirm", "checkin_mode", "requested_slot", "seat_wish", "flight_wish")
        if tracker.get_slot("checkin_id") == NOTHING:  # identification was locked: nobody stays identified
            done += _reset("checkin_id", "checkin_surname")
        if seat in (None, NOTHING) or booking is None:
            return done
        if load_checkin_rules().window_state(booking.flight, clock.now()) != OPEN:
            dispatcher.utter_message(response="utter_window_closed", flight=_flight_line(booking, domain))
            return done
        try:
            issued = get_checkin().check_in(booking.booking_id, seat, clock.now())
        except SeatTaken:
            dispatcher.utter_message(response="utter_seat_just_taken", seat=seat)
            return _reset("seat_request", "exit_row_ok", "checkin_confirm") + [FollowupAction("checkin_form")]
        send_boarding_pass(issued, dispatcher)
        ask_checkin_survey(dispatcher, tracker, issued.booking_id)   # once per booking, ignorable
        return done


class ActionStartCheckIn(Action):
    """Start (or, for 换座位, restart at the seat) check-in; a bound follower's own bookings need no identification.

    What the request already said is kept: a passenger's ID or e-ticket (someone else's check-in, even for a bound
    follower) and surname are read by the form's slot mappings; the flight and a seat wish are kept here.
    """

    def name(self) -> Text:
        return "action_start_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        mode = {"change_seat": "change", "show_boarding_pass": "show", "cancel_check_in": "cancel"}.get(str(intent), "new")
        events = _reset(*FORM_SLOTS) + [SlotSet("checkin_mode", mode), SlotSet("seat_wish", _wish_entities(message)),
                                         SlotSet("flight_wish", entities_of(message, "flight_number"))]
        named = entities_of(message, "eticket_number") or entities_of(message, "id_card_number")
        customer = bound_customer(tracker)
        if customer is not None and named in (None, customer.id_card) and get_crm().bookings_for_customer(customer.customer_id):
            dispatcher.utter_message(response="utter_checkin_own_bookings")
            events += [SlotSet("checkin_id", customer.id_card), SlotSet("checkin_surname", customer.name[:1])]
        elif named is None and tracker.get_slot("checkin_id") and tracker.get_slot("checkin_surname") and mode == "change":
            events += [SlotSet("checkin_id", tracker.get_slot("checkin_id")), SlotSet("checkin_surname", tracker.get_slot("checkin_surname"))]
        return events


def _checked_in(tracker: Tracker) -> List[FlightBooking]:
    customer = bound_customer(tracker)
    bookings = get_crm().bookings_for_customer(customer.customer_id) if customer else _identified_bookings(tracker)
    return [b for b in bookings if b.checked_in_at]


class ActionShowBoardingPass(Action):
    def name(self) -> Text:
        return "action_show_boarding_pass"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        passes = _checked_in(tracker)
        if not passes and bound_customer(tracker) is None and not tracker.get_slot("checkin_id"):
            # not bound and not identified yet: identify the passenger in the check-in form, which shows the pass
            return await ActionStartCheckIn().run(dispatcher, tracker, domain) + [FollowupAction("checkin_form")]
        if not passes:
            dispatcher.utter_message(response="utter_no_boarding_pass")
        for booking in passes:
            send_boarding_pass(booking, dispatcher, header="utter_boarding_pass_header_again")
        return []


class ActionConfirmCancelCheckIn(Action):
    def name(self) -> Text:
        return "action_confirm_cancel_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if bound_customer(tracker) is None and not tracker.get_slot("checkin_id"):
            # not bound and not identified yet: identify the passenger in the check-in form, which then asks to confirm
            return await ActionStartCheckIn().run(dispatcher, tracker, domain) + [FollowupAction("checkin_form")]
        return [SlotSet(name, value) for name, value in _ask_to_cancel(_checked_in(tracker), dispatcher, domain).items()]


def _ask_to_cancel(bookings: List[FlightBooking], dispatcher: CollectingDispatcher, domain: DomainDict) -> Dict[Text, Any]:
    """Ask to confirm cancelling the first check-in among `bookings` still open to change, or say there is none."""
    cancellable = [b for b in _open_bookings(bookings) if b.checked_in_at]
    if not cancellable:
        dispatcher.utter_message(response="utter_nothing_to_cancel_check_in")
        return {"checkin_to_cancel": None, AWAITING: None}
    booking = cancellable[0]
    dispatcher.utter_message(response="utter_confirm_cancel_check_in", flight=_flight_line(booking, domain), seat=booking.seat_no)
    return {"checkin_to_cancel": str(booking.booking_id), AWAITING: "cancel_check_in"}


class ActionCancelCheckIn(Action):
    def name(self) -> Text:
        return "action_cancel_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        wanted = tracker.get_slot("checkin_to_cancel")
        booking = next((b for b in _checked_in(tracker) if str(b.booking_id) == str(wanted)), None)
        if booking is not None and get_checkin().cancel_check_in(booking.booking_id):
            dispatcher.utter_message(response="utter_check_in_cancelled", flight=_flight_line(booking, domain))
        else:
            dispatcher.utter_message(response="utter_nothing_to_cancel_check_in")
        return [SlotSet("checkin_to_cancel", None), SlotSet(AWAITING, None)]


class ActionKeepCheckIn(Action):
    def name(self) -> Text:
        return "action_keep_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_check_in_kept")
        return [SlotSet("checkin_to_cancel", None), SlotSet(AWAITING, None)]


class ActionStopCheckIn(Action):
    def name(self) -> Text:
        return "action_stop_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_check_in_stopped")
        return [ActiveLoop(None)] + _reset(*FORM_SLOTS, "checkin_mode", "requested_slot", "seat_wish", "flight_wish")
