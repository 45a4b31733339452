"""Nearest service halls: from a location shared in WeChat, or the halls of a named district."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import entity_value
from bot import opening_hours
from bot.backends import get_crm
from bot.backends.crm import ServiceHall
from bot.geo import distance_km

NEAREST = 3
OPEN_STATE = {True: "营业中", False: "已打烊"}   # the word after a hall's opening hours (values of the line below)


def _open_state(hall: ServiceHall) -> str:
    """Open or closed right now in China time (bot.clock); nothing when the opening hours are not a plain range."""
    state = opening_hours.is_open(hall.opening_hours)
    return "" if state is None else f"（{OPEN_STATE[state]}）"


def _line(number: int, hall: ServiceHall, km: Optional[float]) -> str:
    distance = f"（{km:.1f}公里）" if km is not None else ""
    return f"{number}. {hall.name}{distance}\n   地址：广州市{hall.district}{hall.address}\n   营业时间：{hall.opening_hours}{_open_state(hall)}，当前排队 {hall.queue_length} 人"


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
            lines = "\n".join(_line(i, hall, km) for i, (km, hall) in enumerate(ranked[:NEAREST], start=1))
            dispatcher.utter_message(response="utter_halls_nearby", lines=lines)
            return []
        if district:
            halls = sorted(crm.service_halls(str(district)), key=lambda h: h.queue_length)[:NEAREST]
            if not halls:
                dispatcher.utter_message(response="utter_halls_none", district=district)
                return []
            lines = "\n".join(_line(i, hall, None) for i, hall in enumerate(halls, start=1))
            dispatcher.utter_message(response="utter_halls_in_district", district=district, lines=lines)
            return []
        dispatcher.utter_message(response="utter_ask_location")
        return []
