"""Hand a conversation back to the bot when WeChat's human agent is done with it.

The dialogue pauses itself (ConversationPaused) when it hands a follower to WeChat's agents. WeChat sends
`kf_close_session` when the agent closes the session, and routes messages to us again after 30 minutes
without one; either way the channel appends ConversationResumed so the bot answers again.
"""
from __future__ import annotations

import enum
import time
from typing import Any, Callable, Dict

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationResumed

AGENT_SESSION_SECONDS = 30 * 60


async def resume_conversation(agent: Any, sender_id: str) -> bool:
    """Append ConversationResumed if the conversation is paused; True when it was."""
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None or not tracker.is_paused():
            return False
        tracker.update(ConversationResumed())
        # The pause stopped the turn before the bot listened; without this the next message would follow
        # `action_handoff` instead of `action_listen` and match no rule.
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await agent.tracker_store.save(tracker)
        return True


class AgentState(enum.Enum):
    NONE = "none"  # the bot answers
    ACTIVE = "active"  # waiting for or talking to a human agent: WeChat's agents get the message
    EXPIRED = "expired"  # WeChat's 30 minutes are over: resume the conversation (reported once)


class AgentSessions:
    """Followers handed to a human agent, and since when.

    In-process by default; in Redis (an asyncio client) when the channel has `redis_url`, so every bot
    instance and every Sanic worker transfers the follower's messages and resumes the conversation after
    WeChat's 30 minutes. Times are wall-clock seconds because instances share them.
    """

    # A record outlives WeChat's 30 minutes so EXPIRED can still be seen; Rasa's 60-minute session expiry
    # un-pauses a conversation on its own after that, so the record is not needed longer.
    RECORD_TTL_SECONDS = 2 * 60 * 60

    def __init__(self, redis_client: Any = None, clock: Callable[[], float] = time.time) -> None:
        self._redis = redis_client
        self._clock = clock
        self._started: Dict[str, float] = {}

    async def started(self, openid: str) -> None:
        now = self._clock()
        if self._redis is None:
            self._started[openid] = now
        else:
            await self._redis.set(self._key(openid), repr(now), ex=self.RECORD_TTL_SECONDS)

    async def ended(self, openid: str) -> bool:
        """Forget the session; True when there was one, so only one instance acts on its end."""
        if self._redis is None:
            return self._started.pop(openid, None) is not None
        return bool(await self._redis.delete(self._key(openid)))

    async def state(self, openid: str) -> AgentState:
        """One lookup per message. EXPIRED is returned once, on one instance, and ends the session."""
        if self._redis is None:
            since = self._started.get(openid)
        else:
            raw = await self._redis.get(self._key(openid))
            since = float(raw) if raw is not None else None
        if since is None:
            return AgentState.NONE
        if self._clock() - since < AGENT_SESSION_SECONDS:
            return AgentState.ACTIVE
        return AgentState.EXPIRED if await self.ended(openid) else AgentState.NONE

    @staticmethod
    def _key(openid: str) -> str:
        return f"wechat:agent:{openid}"
