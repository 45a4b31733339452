"""What happens to a follower's own data when they unfollow the account."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.backends import get_crm

logger = logging.getLogger(__name__)


def latest_user_metadata(tracker: Tracker) -> Dict[Text, Any]:
    """Metadata the input channel attached to the follower's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("metadata") or {}
    return {}


class ActionForgetFollower(Action):
    """Unbind the OpenID (WeChat requires deleting a follower's data), only for a real unsubscribe event."""

    def name(self) -> Text:
        return "action_forget_follower"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        wechat = latest_user_metadata(tracker).get("wechat") or {}
        if wechat.get("event") != "unsubscribe":
            return []
        removed = get_crm().unbind_openid(tracker.sender_id)
        logger.info("follower.unbound_on_unsubscribe", extra={"removed": removed})
        return []
