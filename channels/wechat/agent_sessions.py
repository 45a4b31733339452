"""Hand a conversation back to the bot when WeChat's human agent is done with it.

The dialogue pauses itself (ConversationPaused) when it hands a follower to WeChat's agents. WeChat sends
`kf_close_session` when the agent closes the session, and routes messages to us again after 30 minutes
without one; either way the channel appends ConversationResumed so the bot answers again.
"""
from __future__ import annotations

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


class AgentSessions:
    """Followers handed to a human agent, and since when (in-process; good enough for one instance —
    with Redis configured the pause itself is in the shared tracker store)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started: Dict[str, float] = {}

    def started(self, openid: str) -> None:
        self._started[openid] = self._clock()

    def ended(self, openid: str) -> None:
        self._started.pop(openid, None)

    def active(self, openid: str) -> bool:
        since = self._started.get(openid)
        return since is not None and self._clock() - since < AGENT_SESSION_SECONDS

    def expired(self, openid: str) -> bool:
        """True once, when the follower's agent session has run past WeChat's 30 minutes."""
        since = self._started.get(openid)
        if since is None or self._clock() - since < AGENT_SESSION_SECONDS:
            return False
        self.ended(openid)
        return True
