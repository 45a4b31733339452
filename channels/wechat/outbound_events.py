"""What the channel tells the outbound side (bot/outbound): each follower interaction, which opens WeChat's
customer-service window, and WeChat's TEMPLATESENDJOBFINISH results of template messages.

Both are written through the back-end interfaces in an executor, after the message was de-duplicated (a WeChat
retry records nothing twice); a database that cannot be reached costs a log line, never the follower's reply.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Callable, Optional

from bot import clock
from bot.backends.deliveries import DeliveryLog
from bot.backends.interactions import InteractionLog
from bot.logs import log_event

logger = logging.getLogger(__name__)


class OutboundEvents:
    def __init__(self, interactions: Optional[Callable[[], InteractionLog]] = None,
                 deliveries: Optional[Callable[[], DeliveryLog]] = None, now: Callable[[], datetime] = clock.now) -> None:
        """The back ends are chosen when the channel starts (configuration as of then), used when events arrive."""
        from bot import backends

        interaction_log = None if interactions else backends.get_interactions()
        delivery_log = None if deliveries else backends.get_deliveries()
        self._interactions = interactions or (lambda: interaction_log)
        self._deliveries = deliveries or (lambda: delivery_log)
        self._now = now

    async def interaction(self, openid: str, kind: str) -> None:
        at = self._now()
        try:
            await asyncio.get_running_loop().run_in_executor(None, lambda: self._interactions().record(openid, kind, at))
        except Exception as error:
            log_event(logger, "wechat.interaction_not_recorded", logging.WARNING, openid=openid, error=type(error).__name__)

    async def template_result(self, msg_id: str, status: str) -> None:
        try:
            found = await asyncio.get_running_loop().run_in_executor(
                None, lambda: self._deliveries().record_template_result(msg_id, status))
        except Exception as error:
            log_event(logger, "wechat.template_result_not_recorded", logging.WARNING, msgid=msg_id, error=type(error).__name__)
            return
        log_event(logger, "wechat.template_result", logging.INFO, msgid=msg_id, status=status, known=found)
