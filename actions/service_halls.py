"""Nearest service halls: from a location shared in WeChat, or the halls of a named district."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import entity_value
from actions.wording import phrase
from bot import opening_hours
from bot.backends import get_crm
from bot.backends.crm import ServiceHall
from bot.geo import distance_km

NEAREST = 3
OPEN_STATE = {True: "utter_part_hall_open", False: "utter_part_hall_closed"}


def _line(number: int, hall: ServiceHall, km: Optional[float], domain: DomainDict) -> str:
    """One hall in the list; open or closed right now in China time (bot.clock) when its hours are a plain range."""
    is_open = opening_hours.is_open(hall.opening_hours)
    state = phrase(domain, OPEN_STATE[is_open]) if is_open is not None else ""
    distance = phrase(domain, "utter_part_hall_distance", km=f"{km:.1f}") if km is not None else ""
    return phrase(domain, "utter_part_hall_line", number=number, name=hall.name, distance=distance, district=hall.district,
                  address=hall.address, opening_hours=hall.opening_hours, state=state, queue=hall.queue_length)


class ActionFindServiceHall(Action):
    def name(self) -> Text:
        return "action_find_service_hall"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        latitude, longitude = entity_value(tracker, "latitude"), entity_value(tracker, "longitude")
        district = entity_value(tracker, "district")
        crm = get_crm()
        if latitude is not None and longitude is not None:
            try:
                lat, lng = float(latitude), float(longitude)
            except (TypeError, ValueError):
                dispatcher.utter_message(response="utter_ask_location")
                return []
            ranked = sorted(((distance_km(lat, lng, h.latitude, h.longitude), h) for h in crm.service_halls()), key=lambda p: p[0])
            lines = "\n".join(_line(i, hall, km, domain) for i, (km, hall) in enumerate(ranked[:NEAREST], start=1))
            dispatcher.utter_message(response="utter_halls_nearby", lines=lines)
            return []
        if district:
            halls = sorted(crm.service_halls(str(district)), key=lambda h: h.queue_length)[:NEAREST]
            if not halls:
                dispatcher.utter_message(response="utter_halls_none", district=district)
                return []
            lines = "\n".join(_line(i, hall, None, domain) for i, hall in enumerate(halls, start=1))
            dispatcher.utter_message(response="utter_halls_in_district", district=district, lines=lines)
            return []
        dispatcher.utter_message(response="utter_ask_location")
        return []
