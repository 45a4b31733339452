"""Nearest service halls: from a location shared in WeChat, or the halls of a named district."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import entity_value
from bot.backends import get_crm
from bot.backends.crm import ServiceHall
from bot.geo import distance_km
from bot.replies import reply

NEAREST = 3


def _line(number: int, hall: ServiceHall, km: Optional[float]) -> str:
    distance = f"（{km:.1f}公里）" if km is not None else ""
    return f"{number}. {hall.name}{distance}\n   地址：广州市{hall.district}{hall.address}\n   营业时间：{hall.opening_hours}，当前排队 {hall.queue_length} 人"


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
                dispatcher.utter_message(**reply("ask_location"))
                return []
            ranked = sorted(((distance_km(lat, lng, h.latitude, h.longitude), h) for h in crm.service_halls()), key=lambda p: p[0])
            lines = "\n".join(_line(i, hall, km) for i, (km, hall) in enumerate(ranked[:NEAREST], start=1))
            dispatcher.utter_message(**reply("halls_nearby", lines=lines))
            return []
        if district:
            halls = sorted(crm.service_halls(str(district)), key=lambda h: h.queue_length)[:NEAREST]
            if not halls:
                dispatcher.utter_message(**reply("halls_none", district=district))
                return []
            lines = "\n".join(_line(i, hall, None) for i, hall in enumerate(halls, start=1))
            dispatcher.utter_message(**reply("halls_in_district", district=district, lines=lines))
            return []
        dispatcher.utter_message(**reply("ask_location"))
        return []
