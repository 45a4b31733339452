"""One pass over Rasa's stored events → one `Conversation` record per Rasa session, with its turns' facts.

Events are read as Rasa's SQL tracker store keeps them (rows of the `events` table: type_name, timestamp,
intent_name, action_name and the event's JSON). Only user and bot events' JSON is parsed; actions are read
from the `action_name` column. A conversation is a Rasa session (it starts at `session_started`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from bot import clock
from bot.console.report import definitions as d
from bot.handoff import HandoffRules

# One row of Rasa's events table: (id, sender_id, type_name, timestamp, intent_name, action_name, data).
Row = Tuple[int, str, str, float, Optional[str], Optional[str], Optional[str]]


@dataclass
class Turn:
    """A follower message and what the bot did until the next one."""
    at: float
    text: str
    intent: str
    confidence: float
    entry: str
    channel: str
    faq_entry: Optional[str] = None
    responses: List[str] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)
    previous_responses: Tuple[str, ...] = ()
    recorded_handoff_reason: Optional[str] = None   # as action_handoff recorded it at the time

    @property
    def fell_back(self) -> bool:
        return any(r in d.FALLBACK_RESPONSES for r in self.responses)

    @property
    def handoff(self) -> bool:
        return any(r in (d.HANDED_OVER, d.OUT_OF_HOURS) for r in self.responses)

    @property
    def bot_alone(self) -> bool:
        """Answered by the bot itself: it replied, and neither fell back nor handed over."""
        return bool(self.responses) and not self.fell_back and not self.handoff


@dataclass
class Conversation:
    sender_id: str
    started_at: float
    ended_at: float
    turns: List[Turn] = field(default_factory=list)
    steps: Dict[str, Set[str]] = field(default_factory=lambda: {flow: set() for flow in d.FUNNELS})
    fault_outcomes: Set[str] = field(default_factory=set)
    handoff_reasons: List[str] = field(default_factory=list)
    callback_recorded: bool = False
    ratings: List[int] = field(default_factory=list)
    tickets_created: int = 0
    needs: List[str] = field(default_factory=list)   # flows in the order the follower asked for them

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.sender_id}|{self.started_at:.6f}".encode()).hexdigest()[:32]

    @property
    def day(self) -> date:
        return local_time(self.started_at).date()

    @property
    def handed_over(self) -> bool:
        """Reached a person: handed to WeChat's agents, or a call-back recorded."""
        return any(t.handoff and d.HANDED_OVER in t.responses for t in self.turns) or self.callback_recorded

    @property
    def fell_back(self) -> bool:
        return any(t.fell_back for t in self.turns)

    @property
    def need(self) -> Optional[str]:
        return self.needs[0] if self.needs else None

    def completed(self, flow: str) -> bool:
        last = d.FUNNELS[flow][-1] if flow in d.FUNNELS else None
        if flow == "faq":
            return any(t.faq_entry for t in self.turns)
        return last is not None and last in self.steps[flow]

    @property
    def resolved(self) -> bool:
        """Its first need was met (the funnel's last step, or a knowledge-base answer) and no person was needed."""
        return self.need is not None and self.completed(self.need) and not self.handed_over

    @property
    def gave_up(self) -> Optional[str]:
        """`flow:step` of the first funnel started and not completed: the last step the follower reached."""
        for flow, steps in d.FUNNELS.items():
            reached = [s for s in steps if s in self.steps[flow]]
            if reached and steps[-1] not in reached:
                return f"{flow}:{reached[-1]}"
        return None

    @property
    def lowest_rating(self) -> Optional[int]:
        return min(self.ratings) if self.ratings else None


def local_time(epoch: float) -> datetime:
    """An event's moment as China wall-clock time (bot.clock's zone)."""
    return datetime.fromtimestamp(epoch, clock.zone()).replace(tzinfo=None)


def _entry(data: Dict[str, Any], text: str) -> str:
    """How the message came in: typed text, voice, menu click, QR scene, subscribe, button, other."""
    wechat = (data.get("metadata") or {}).get("wechat") or {}
    kind = wechat.get("msg_type")
    if kind == "event":
        return {"click": "menu", "subscribe": "subscribe", "scan": "qr_scene", "subscribe_scan": "qr_scene"}.get(
            str(wechat.get("event")).lower(), "other")
    if kind == "voice":
        return "voice"
    if kind in ("location", "image"):
        return "other"
    return "button" if text.startswith("/") else "text"


class ConversationReader:
    """Feeds rows in id order; yields each conversation once its follower starts the next or the rows end."""

    def __init__(self, handoff_rules: HandoffRules) -> None:
        self._rules = handoff_rules
        self._open: Dict[str, Conversation] = {}
        self._turn: Dict[str, Turn] = {}

    def read(self, rows: Iterable[Row], only_started_after: Optional[float] = None) -> Iterator[Conversation]:
        """Conversations in `rows`; with `only_started_after`, senders' events before their first session start
        in the rows are skipped (they belong to a session that began earlier)."""
        for _id, sender, kind, at, intent, action, raw in rows:
            conversation = self._open.get(sender)
            if kind == "session_started" or (conversation is None and only_started_after is None and kind == "user"):
                if conversation is not None:
                    closed = self._close(sender)
                    if closed.turns:
                        yield closed
                conversation = self._open[sender] = Conversation(sender, at, at)
                if kind == "session_started":
                    continue
            if conversation is None or action == "action_session_start":   # that one opens the next session
                continue
            conversation.ended_at = max(conversation.ended_at, at or conversation.ended_at)
            if kind == "user":
                self._user(conversation, sender, at, intent, json.loads(raw or "{}"))
            elif kind == "bot":
                self._bot(conversation, sender, json.loads(raw or "{}"))
            elif kind == "action" and action:
                self._action(conversation, sender, action)
        for sender in list(self._open):
            closed = self._close(sender)
            if closed.turns:      # a session the follower never wrote in is no conversation
                yield closed

    # -- events ----------------------------------------------------------------------------------------
    def _user(self, conversation: Conversation, sender: str, at: float, intent: Optional[str], data: Dict[str, Any]) -> None:
        if sender in self._turn and data.get("input_channel") is None and data.get("message_id") is None:
            return   # a request replayed by an action (after binding): part of the follower's turn, not a new message
        previous = self._turn.pop(sender, None)
        if previous is not None:
            self._finish_turn(conversation, previous)
        parse = data.get("parse_data") or {}
        text = data.get("text") or ""
        predicted = parse.get("intent") or {}
        faq_entry = None
        if (predicted.get("name") or intent) == d.FAQ_INTENT:
            key = (((parse.get("response_selector") or {}).get(d.FAQ_INTENT) or {}).get("response") or {}).get("intent_response_key")
            faq_entry = key.split("/", 1)[1] if key and "/" in key else None
        turn = Turn(at=at, text=text, intent=predicted.get("name") or intent or d.FALLBACK_INTENT,
                    confidence=float(predicted.get("confidence") or 0.0), entry=_entry(data, text),
                    channel=data.get("input_channel") or "unknown", faq_entry=faq_entry,
                    previous_responses=tuple(previous.responses) if previous else ())
        self._turn[sender] = turn

    def _bot(self, conversation: Conversation, sender: str, data: Dict[str, Any]) -> None:
        metadata = data.get("metadata") or {}
        response = metadata.get("utter_action")
        if not response:
            return
        turn = self._turn.get(sender)
        if turn is not None:
            turn.responses.append(response)
            turn.recorded_handoff_reason = metadata.get(d.HANDOFF_REASON_KEY) or turn.recorded_handoff_reason
        steps = conversation.steps
        if response in d.QUERY_ANSWERS:
            steps["query"].update(("asked", "bound", "answered"))
        elif response == d.BIND_SUCCESS and steps["query"]:
            steps["query"].add("bound")
        elif response in d.FAULT_OUTCOMES:
            steps["fault"].update(("reported", "diagnosed", "outcome"))
            conversation.fault_outcomes.add(d.FAULT_OUTCOMES[response])
        elif response in d.CHECKIN_IDENTIFIED:
            steps["checkin"].update(("started", "identified"))
        elif response in d.CHECKIN_SEAT:
            steps["checkin"].update(("started", "identified", "seat"))
        elif response in d.CHECKIN_PASS:
            steps["checkin"].update(("started", "identified", "seat", "boarding_pass"))
        elif response == d.CALLBACK_RECORDED:
            conversation.callback_recorded = True
        elif response == d.RATING_SAVED:
            stars = str(metadata.get("stars") or "")
            if stars:
                conversation.ratings.append(len(stars))
        if response in d.TICKET_CREATED:
            conversation.tickets_created += 1
        if response.startswith(d.FAQ_PREFIX) and turn is not None:
            turn.faq_entry = turn.faq_entry or response[len(d.FAQ_PREFIX):]
            self._need(conversation, "faq")

    def _action(self, conversation: Conversation, sender: str, action: str) -> None:
        turn = self._turn.get(sender)
        if turn is not None:
            turn.actions.append(action)
        if action in d.QUERY_ACTIONS:
            self._need(conversation, "query")
            conversation.steps["query"].add("asked")
        elif action == d.FAULT_START:
            self._need(conversation, "fault")
            conversation.steps["fault"].add("reported")
        elif action == d.FAULT_DIAGNOSED:
            conversation.steps["fault"].update(("reported", "diagnosed"))
        elif action == d.CHECKIN_START:
            self._need(conversation, "checkin")
            conversation.steps["checkin"].add("started")

    @staticmethod
    def _need(conversation: Conversation, flow: str) -> None:
        if flow not in conversation.needs:
            conversation.needs.append(flow)

    def _finish_turn(self, conversation: Conversation, turn: Turn) -> None:
        if turn.handoff:
            conversation.handoff_reasons.append(self.handoff_reason(turn))
        conversation.turns.append(turn)

    def handoff_reason(self, turn: Turn) -> str:
        """Why this turn went to a person: as recorded with the handoff, or (conversations from before it was
        recorded) judged from the message with today's data/handoff.yml."""
        if turn.recorded_handoff_reason in d.HANDOFF_REASONS:
            return str(turn.recorded_handoff_reason)
        return self._rules.reason(turn.text, after_offer=d.OFFER_HUMAN in turn.previous_responses,
                                  out_of_hours=d.OUT_OF_HOURS in turn.responses)

    def _close(self, sender: str) -> Conversation:
        conversation = self._open.pop(sender)
        turn = self._turn.pop(sender, None)
        if turn is not None:
            self._finish_turn(conversation, turn)
        return conversation
