"""Rasa's message processor, made to answer every message and never leave a conversation stuck.

Rasa 3.6 swallows a failing custom action ("the actions events are lost"), keeps predicting, trips its circuit
breaker and saves a turn that never reached `action_listen`; every later message of that follower trips it again.
When the tracker store cannot be read, its fail-safe wrapper answers from an empty in-memory conversation.
Here instead:

- an action that fails (action server down, slow beyond its timeout, a back end raising) or a tripped circuit
  breaker ends the turn: the follower's message is kept in the event log but reverted (`UserUtteranceReverted`),
  so slots, forms and confirmations are as before it and the follower can simply send it again; the follower is
  told so (`utter_service_unavailable`), and a request for a person is still handed over;
- a tracker store that cannot be read or written answers `utter_service_busy` (send again) instead of
  answering without context.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.actions.action import Action, ActionExecutionRejection, create_bot_utterance
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Event, UserUtteranceReverted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import clock
from bot.handoff import load_handoff_rules
from bot.logs import log_event

logger = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = "utter_service_unavailable"
SERVICE_BUSY = "utter_service_busy"
HANDOFF_INTENT = "human_handoff"
HANDOFF_RESPONSE = "utter_handoff"
HUMAN_AGENT_CHANNELS = {"wechat"}   # channels whose human agents take over (see actions/handoff.py)


class TurnFailed(BaseException):
    """A part of the turn failed; raised past Rasa's own `except Exception` that would swallow it.

    A BaseException like asyncio's CancelledError: it must reach `handle_message`, which ends the turn cleanly.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TrackerStoreUnavailable(Exception):
    """The conversation could not be read or saved."""


def _raise_unavailable(error: Exception) -> None:
    raise TrackerStoreUnavailable(type(error).__name__) from error


class _FailLoudly:
    """The action Rasa is about to run, with failures turned into `TurnFailed`; everything else is the action's."""

    def __init__(self, action: Action) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel: OutputChannel, nlg: NaturalLanguageGenerator,
                  tracker: DialogueStateTracker, domain: Any) -> List[Event]:
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:
            raise TurnFailed(f"action {self._action.name()} failed: {type(error).__name__}") from error


class ResilientProcessor(MessageProcessor):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_circuit_break = self._circuit_broke
        store = self.tracker_store
        if isinstance(store, FailSafeTrackerStore):
            # Same primary store, but its errors propagate instead of falling back to an empty conversation.
            primary: TrackerStore = store._tracker_store  # noqa: SLF001 (Rasa keeps no public accessor)
            self.tracker_store = FailSafeTrackerStore(primary, on_tracker_store_error=_raise_unavailable)

    @staticmethod
    def _circuit_broke(tracker: DialogueStateTracker, output_channel: OutputChannel, nlg: Any) -> None:
        raise TurnFailed("circuit breaker tripped")

    async def handle_message(self, message: UserMessage) -> Optional[List[Dict[Text, Any]]]:
        try:
            tracker = await self.log_message(message, should_save_tracker=False)
        except TrackerStoreUnavailable as error:
            log_event(logger, "turn.tracker_store_unavailable", logging.ERROR, sender=message.sender_id, error=str(error))
            await self._say(SERVICE_BUSY, DialogueStateTracker(message.sender_id, self.domain.slots), message.output_channel)
            return self._collected(message)
        try:
            tracker = await self.run_action_extract_slots(message.output_channel, tracker)
            await self._run_prediction_loop(message.output_channel, tracker)
        except TurnFailed as failure:
            await self._end_failed_turn(tracker, message.output_channel, failure.reason)
        except Exception as error:  # anything else in the turn: same clean end, never a half-written turn
            await self._end_failed_turn(tracker, message.output_channel, f"{type(error).__name__}")
        await self.run_anonymization_pipeline(tracker)
        try:
            await self.save_tracker(tracker)
        except TrackerStoreUnavailable as error:
            # The answer already went out; the follower is told it was not kept, so nothing is silently lost.
            log_event(logger, "turn.tracker_not_saved", logging.ERROR, sender=message.sender_id, error=str(error))
            await self._say(SERVICE_BUSY, tracker, message.output_channel)
        return self._collected(message)

    async def _run_action(self, action: Action, tracker: DialogueStateTracker, output_channel: OutputChannel,
                          nlg: NaturalLanguageGenerator, prediction: PolicyPrediction) -> bool:
        return await super()._run_action(_FailLoudly(action), tracker, output_channel, nlg, prediction)  # type: ignore[arg-type]

    async def _end_failed_turn(self, tracker: DialogueStateTracker, output_channel: OutputChannel, reason: str) -> None:
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        log_event(logger, "turn.failed", logging.ERROR, sender=tracker.sender_id, intent=intent, reason=reason)
        tracker.update(UserUtteranceReverted())
        if intent == HANDOFF_INTENT and load_handoff_rules().hours.is_open(clock.now()):
            await self._say(HANDOFF_RESPONSE, tracker, output_channel)
            await self._send(tracker, output_channel, {"custom": {"handoff": True}})
            if output_channel.name() in HUMAN_AGENT_CHANNELS:
                tracker.update(ConversationPaused())
        else:
            await self._say(SERVICE_UNAVAILABLE, tracker, output_channel)
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))

    async def _say(self, response: str, tracker: DialogueStateTracker, output_channel: OutputChannel) -> None:
        generated = await self.nlg.generate(response, tracker, output_channel.name())
        if generated is not None:
            await self._send(tracker, output_channel, generated)

    @staticmethod
    async def _send(tracker: DialogueStateTracker, output_channel: OutputChannel, message: Dict[str, Any]) -> None:
        utterance = create_bot_utterance(message)
        tracker.update(utterance)
        await output_channel.send_response(tracker.sender_id, utterance.message())

    @staticmethod
    def _collected(message: UserMessage) -> Optional[List[Dict[Text, Any]]]:
        if isinstance(message.output_channel, CollectingOutputChannel):
            return message.output_channel.messages
        return None
