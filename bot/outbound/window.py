"""WeChat's customer-service window: may the account still write to a follower by customer-service message?

5 messages within 48 hours of the follower's last message; 3 within a minute of a menu click, a follow or a
QR scan. Outside both, only a template message can reach the follower.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from bot.backends.interactions import EVENT, MESSAGE, Interactions

MESSAGE_WINDOW, MESSAGE_QUOTA = timedelta(hours=48), 5
EVENT_WINDOW, EVENT_QUOTA = timedelta(minutes=1), 3


def open_window(interactions: Optional[Interactions], now: datetime) -> Optional[str]:
    """MESSAGE or EVENT: the window a customer-service message would be sent in; None when neither allows one."""
    if interactions is None:
        return None
    if (interactions.last_message_at is not None and now - interactions.last_message_at < MESSAGE_WINDOW
            and interactions.message_sends < MESSAGE_QUOTA):
        return MESSAGE
    if (interactions.last_event_at is not None and now - interactions.last_event_at < EVENT_WINDOW
            and interactions.event_sends < EVENT_QUOTA):
        return EVENT
    return None
