"""Rasa input channel for a WeChat Official Account in server-URL mode (plain, compat and safe modes).

Order of work per POST: size → signature → freshness → mode → msg_signature and decrypt → nonce → parse
(text cleaned and capped) → de-duplicate → journal the message → run the Rasa turn as a task → reply within the
budget, or answer empty and deliver later by customer-service API → mark the journal entry finished. Entries a
dead process left unfinished are replayed after the restart (`_replay_loop`), or taken over by WeChat's retry. No request, however odd, gets an HTTP 500 (WeChat would show its error
prompt, and Sanic would log the signed URL); our own log lines never carry the query string.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import clock
from bot.erasure import ErasureJournal, FollowerErasure, backend_erasers
from bot.logs import log_event
from channels.wechat.content import ChannelContent, load_content
from channels.wechat.customer_service import CustomerServiceSender
from channels.wechat.agent_sessions import AgentSessions, AgentState, resume_conversation
from channels.wechat.inbound import (
    AGENT_DONE,
    FIXED_REPLY,
    FORGET,
    IGNORE,
    TEMPLATE_RESULT,
    TURN,
    Inbound,
    MalformedMessage,
    read_inbound,
)
from channels.wechat.journal import BUSY, FINISHED, NEW, RESUMED, InboundJournal, JournalEntry
from channels.wechat.outbound_events import OutboundEvents
from channels.wechat.replies import RenderedTurn, customer_service_payloads, passive_reply_xml, render_turn, split_by_bytes
from channels.wechat.security import RejectedRequest, RequestGuard
from channels.wechat.service_level import LATE, LOST, PASSIVE, ReplyLatencyRecorder
from channels.wechat.settings import WeChatSettings, settings_from_credentials
from channels.wechat.stores import (
    MemoryNonceRegistry,
    MemoryReplyLedger,
    NonceRegistry,
    RedisNonceRegistry,
    RedisReplyLedger,
    ReplyLedger,
    redis_client,
)
from channels.wechat.tracker_removal import forget_conversation

logger = logging.getLogger(__name__)

CONVERSATION = "conversation"     # the erasure part that deletes the follower's conversation from Rasa's store
INBOUND_JOURNAL = "inbound_journal"   # the erasure part that deletes the follower's journalled messages


@dataclass
class ReplayedTurn:
    """A journalled turn replayed after a restart; a WeChat retry of its message may answer it passively."""

    turn: asyncio.Future
    collector: CollectingOutputChannel
    inbound: Inbound
    received_at: float    # when WeChat first delivered the message (wall clock): the latency counts from there
    taken: bool = False   # set (without an await in between) by whichever delivers the answer: replay or retry
    waiting: int = 0      # retries waiting for the turn: the replay leaves them the first go
    decided: asyncio.Event = field(default_factory=asyncio.Event)   # a waiting retry took the answer or gave up


def turn_id(inbound: Inbound, key: str) -> str:
    """The UserMessage id: WeChat's MsgId, or one derived from the event's de-duplication key, so a replay can
    see in the conversation whether the turn was already stored."""
    return inbound.message_id or "wechat-event-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class WeChatCustomerServiceOutput(OutputChannel):
    """Sends bot messages by customer-service API, e.g. for `/conversations/<id>/trigger_intent`."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, sender: CustomerServiceSender) -> None:
        self._sender = sender

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._sender.deliver(
            [{"touser": recipient_id, "msgtype": "text", "text": {"content": chunk}} for chunk in split_by_bytes(text)]
        )


class WeChatCollector(CollectingOutputChannel):
    """Collects a turn's messages under the channel's name, so domain responses' `channel: wechat` variants apply."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(settings_from_credentials(credentials))

    def __init__(self, settings: WeChatSettings, content: Optional[ChannelContent] = None,
                 outbound_events: Optional[OutboundEvents] = None) -> None:
        self.settings = settings
        self.outbound_events = outbound_events or OutboundEvents()
        self.content = content or load_content()
        self.guard = RequestGuard(settings)
        shared = redis_client(settings.redis_url) if settings.redis_url else None  # asyncio client
        self.ledger: ReplyLedger = (
            RedisReplyLedger(shared, settings.dedupe_ttl_seconds) if shared else MemoryReplyLedger(settings.dedupe_ttl_seconds)
        )
        freshness = settings.timestamp_tolerance_seconds
        self.nonces: NonceRegistry = RedisNonceRegistry(shared, freshness) if shared else MemoryNonceRegistry(freshness)
        self.agent_sessions = AgentSessions(redis_client=shared)
        token_storage = None
        if settings.redis_url:
            import redis
            from wechatpy.session.redisstorage import RedisStorage

            # wechatpy's token storage is synchronous; the sender calls it from its executor threads.
            token_storage = RedisStorage(redis.Redis.from_url(settings.redis_url), prefix="wechat:token")
        self.sender = CustomerServiceSender(settings, token_storage)
        self._background: set = set()
        self.erasure_journal = ErasureJournal()
        self._erasures_tried_at = -settings.erasure_retry_seconds
        self.latency = ReplyLatencyRecorder()
        self.journal = InboundJournal(settings.inbound_journal_url, settings.journal_claim_seconds)
        self._replaying: Dict[str, ReplayedTurn] = {}
        self._on_new_message: Optional[Callable[[UserMessage], Awaitable[Any]]] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WeChatCustomerServiceOutput(self.sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("wechat_webhook", __name__)
        self._on_new_message = on_new_message

        @hook.listener("after_server_start")
        async def replay_journal(app: Any, _loop: Any) -> None:
            """Rasa loads its agent before the server starts; from then on, unfinished messages are answered."""
            self._keep(asyncio.ensure_future(self._replay_loop(app)))

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            query = {key: request.args.get(key) for key in request.args}
            try:
                echo = self.guard.verify_url(query)
            except RejectedRequest as rejected:
                log_event(logger, "wechat.verify_rejected", logging.WARNING, reason=rejected.reason)
                return response.text("forbidden", status=rejected.status)
            # A verification URL must never carry a message: its nonce is spent on the verification.
            await self.nonces.admit(query.get("timestamp") or "", query.get("nonce") or "", NonceRegistry.VERIFY_URL)
            return response.text(echo)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                return await self._receive(request, on_new_message)
            except Exception as error:  # last resort: no 500, and no traceback naming the signed URL
                log_event(logger, "wechat.receive_failed", logging.ERROR, error=type(error).__name__)
                return response.text("")

        return hook

    async def _receive(self, request: Request, on_new_message: Callable) -> HTTPResponse:
        started = time.monotonic()
        query = {key: request.args.get(key) for key in request.args}
        body = request.body or b""
        if len(body) > self.settings.max_body_bytes:
            log_event(logger, "wechat.rejected", logging.WARNING, reason="body too large", bytes=len(body))
            return response.text("payload too large", status=413)
        try:
            opened = self.guard.open(query, body)
            if not await self.nonces.admit(opened.timestamp, opened.nonce, opened.fingerprint):
                raise RejectedRequest(403, "nonce already used for another message (replayed signature?)")
            inbound = read_inbound(opened.xml, self.content, self.settings.max_message_chars)
        except RejectedRequest as rejected:
            log_event(logger, "wechat.rejected", logging.WARNING, reason=rejected.reason, mode=self.settings.mode)
            return response.text("rejected", status=rejected.status)
        except (MalformedMessage, UnicodeDecodeError) as error:
            log_event(logger, "wechat.malformed", logging.WARNING, reason=str(error))
            return response.text("")
        try:
            reply_xml = await self._answer(inbound, request, on_new_message, started)
        except Exception:  # never a 500: WeChat would show its error prompt and retry
            logger.exception("wechat.answer_failed openid=%s", inbound.openid)
            reply_xml = ""
        return response.text(self.guard.seal(opened, reply_xml), content_type="application/xml")

    # -- one inbound message -------------------------------------------------------------------------
    async def _answer(self, inbound: Inbound, request: Request, on_new_message: Callable, started: float) -> str:
        key = "|".join(inbound.dedupe_key)
        received_at = time.time() - (time.monotonic() - started)
        remaining = lambda: self.settings.reply_budget_seconds - (time.monotonic() - started)  # noqa: E731
        if not await self.ledger.claim(key):
            log_event(logger, "wechat.retry", logging.INFO, openid=inbound.openid, key=key)
            return await self.ledger.wait(key, remaining()) or ""
        if inbound.interaction:  # WeChat's customer-service window, for the messages the account sends first
            self._keep(asyncio.ensure_future(self.outbound_events.interaction(inbound.openid, inbound.interaction)))
        if inbound.action == TEMPLATE_RESULT:
            meta = inbound.metadata["wechat"]
            await self.ledger.settle(key, "")
            self._keep(asyncio.ensure_future(self.outbound_events.template_result(meta["msg_id"], meta["status"])))
            return ""
        if inbound.action == IGNORE:
            await self.ledger.settle(key, "")
            return ""
        self._retry_erasures(request)
        if inbound.action == FORGET:
            # No reply is due; the erasure must not hold WeChat's request while a database is slow.
            await self.ledger.settle(key, "")
            self._keep(asyncio.ensure_future(self._forget(inbound, request)))
            return ""
        if inbound.action == AGENT_DONE:
            had_session = await self.agent_sessions.ended(inbound.openid)
            resumed = await self._resume(request, inbound.openid)
            if not (had_session or resumed) or not inbound.text:
                await self.ledger.settle(key, "")
                return ""
            # handed back by a person: a turn (the satisfaction survey's question) follows below
        if inbound.action == FIXED_REPLY:
            reply, _ = passive_reply_xml(RenderedTurn(texts=[inbound.text]), inbound.openid, inbound.account)
            await self.ledger.settle(key, reply)
            return reply

        agent_state = await self.agent_sessions.state(inbound.openid)
        if agent_state is AgentState.EXPIRED:
            await self._resume(request, inbound.openid)
        if inbound.is_user_message and agent_state is AgentState.ACTIVE:
            # Waiting for or talking to a human agent: pass the message on to WeChat's agents, bot stays quiet.
            reply, _ = passive_reply_xml(RenderedTurn(handoff=True), inbound.openid, inbound.account)
            await self.ledger.settle(key, reply)
            return reply
        standing = await self._admit(inbound, key)
        if standing == FINISHED:   # answered before a restart; WeChat's retry needs nothing more
            await self.ledger.settle(key, "")
            return ""
        if standing == BUSY:       # a replay (or another worker) runs this very message: join it, never a 2nd turn
            return await self._join(inbound, key, remaining)
        if standing == RESUMED:
            log_event(logger, "wechat.journal_resumed", logging.INFO, openid=inbound.openid, key=key)
        collector = WeChatCollector()
        turn = asyncio.ensure_future(on_new_message(self._user_message(inbound, key, collector)))
        try:
            await asyncio.wait_for(asyncio.shield(turn), timeout=max(remaining(), 0))
        except asyncio.TimeoutError:
            log_event(logger, "wechat.turn_late", logging.INFO, openid=inbound.openid, budget=self.settings.reply_budget_seconds)
            await self.ledger.settle(key, "")
            self._keep(asyncio.ensure_future(self.sender.show_typing(inbound.openid)))
            self._keep(asyncio.ensure_future(self._deliver_later(turn, collector, inbound, key, received_at)))
            return ""
        except Exception:
            logger.exception("wechat.turn_failed openid=%s", inbound.openid)
            await self.ledger.settle(key, "")
            self.latency.record(received_at, None, LOST)
            await self._finish(key)
            return ""
        return await self._passive(inbound, collector, key, received_at)

    def _user_message(self, inbound: Inbound, key: str, collector: CollectingOutputChannel) -> UserMessage:
        return UserMessage(inbound.text, collector, inbound.openid, input_channel=self.name(),
                           message_id=turn_id(inbound, key), metadata=inbound.metadata)

    async def _passive(self, inbound: Inbound, collector: CollectingOutputChannel, key: str, received_at: float) -> str:
        """The finished turn as the passive reply (what does not fit follows by customer-service API)."""
        rendered = await self._rendered(collector, inbound)
        reply, leftover = passive_reply_xml(rendered, inbound.openid, inbound.account)
        await self.ledger.settle(key, reply)
        self.latency.record(received_at, time.time() - received_at, PASSIVE)
        if not leftover.is_empty:
            self._keep(asyncio.ensure_future(self.sender.deliver(customer_service_payloads(leftover, inbound.openid))))
        await self._finish(key)
        return reply

    async def _deliver_later(self, turn: asyncio.Future, collector: CollectingOutputChannel, inbound: Inbound,
                             key: str, received_at: float) -> None:
        try:
            await turn
        except Exception:
            logger.exception("wechat.turn_failed openid=%s", inbound.openid)
            self.latency.record(received_at, None, LOST)
            await self._finish(key)
            return
        await self._deliver(collector, inbound, received_at)
        await self._finish(key)

    async def _deliver(self, collector: CollectingOutputChannel, inbound: Inbound, received_at: float) -> None:
        rendered = await self._rendered(collector, inbound)
        bodies = customer_service_payloads(rendered, inbound.openid)
        delivery = await self.sender.deliver(bodies)
        delivered = delivery.sent > 0 or not bodies
        self.latency.record(received_at, time.time() - received_at if delivered else None, LATE if delivered else LOST)
        log_event(logger, "wechat.delivered_late", logging.INFO, openid=inbound.openid, sent=delivery.sent, errcode=delivery.errcode)

    # -- the inbound journal: nothing in flight is lost to a restart --------------------------------
    async def _journal(self, call: Callable[..., Any], *args: Any, default: Any = None) -> Any:
        """A journal call off the event loop; a failing journal (database locked, disk full) never costs the
        follower their answer, only the restart protection of this one message."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, call, *args)
        except Exception as error:
            log_event(logger, "wechat.journal_failed", logging.WARNING, call=call.__name__, error=type(error).__name__)
            return default

    async def _admit(self, inbound: Inbound, key: str) -> str:
        entry = JournalEntry(key, inbound.openid, inbound.account, turn_id(inbound, key), inbound.text,
                             inbound.metadata, inbound.cut, time.time())
        return await self._journal(self.journal.admit, entry, default=NEW)

    async def _finish(self, key: str) -> None:
        await self._journal(self.journal.finish, key)

    async def _join(self, inbound: Inbound, key: str, remaining: Callable[[], float]) -> str:
        """A retry of a message being replayed here: its answer goes passively if ready in time, else the replay
        sends it by customer-service message. Replayed elsewhere (another worker): that one delivers."""
        replayed = self._replaying.get(key)
        if replayed is not None:
            replayed.waiting += 1
            try:
                await asyncio.wait_for(asyncio.shield(replayed.turn), timeout=max(remaining(), 0))
            except Exception:   # late or failed: the replay delivers (or reports) it
                replayed.decided.set()
                replayed = None
        if replayed is None or replayed.taken:
            log_event(logger, "wechat.journal_busy", logging.INFO, openid=inbound.openid, key=key)
            await self.ledger.settle(key, "")
            return ""
        replayed.taken = True
        replayed.decided.set()
        log_event(logger, "wechat.journal_joined", logging.INFO, openid=inbound.openid, key=key)
        return await self._passive(replayed.inbound, replayed.collector, key, replayed.received_at)

    async def _replay_loop(self, app: Any) -> None:
        """Look for unfinished entries now (after a restart) and every `journal_scan_seconds` (a dead worker's)."""
        while True:
            agent = getattr(app.ctx, "agent", None)
            if agent is not None:
                try:
                    await self.replay_due(agent.tracker_store)
                except Exception as error:
                    log_event(logger, "wechat.journal_replay_failed", logging.WARNING, error=type(error).__name__)
            await asyncio.sleep(self.settings.journal_scan_seconds)

    async def replay_due(self, tracker_store: Any) -> int:
        """Claim the unfinished entries whose owner is gone and replay them, each follower's in order;
        returns how many were claimed."""
        max_age = self.settings.journal_replay_max_age_seconds
        await self._journal(self.journal.purge, max_age)
        entries = await self._journal(self.journal.replayable, max_age, default=[])
        by_follower: Dict[str, List[JournalEntry]] = {}
        for entry in entries:
            if entry.key not in self._replaying and await self._journal(self.journal.claim, entry.key, default=False):
                by_follower.setdefault(entry.openid, []).append(entry)
        for claimed in by_follower.values():
            self._keep(asyncio.ensure_future(self._replay_in_order(claimed, tracker_store)))
        return sum(len(claimed) for claimed in by_follower.values())

    async def _replay_in_order(self, entries: List[JournalEntry], tracker_store: Any) -> None:
        for entry in entries:
            try:
                await self._replay(entry, tracker_store)
            except Exception as error:
                log_event(logger, "wechat.journal_replay_failed", logging.WARNING, openid=entry.openid, key=entry.key,
                          error=type(error).__name__)
                await self._journal(self.journal.release, entry.key)

    async def _replay(self, entry: JournalEntry, tracker_store: Any) -> None:
        """Run one journalled turn again and deliver its answer by customer-service message, unless the
        conversation already holds the message (the turn was stored, only the delivery was lost)."""
        if self._on_new_message is None:
            await self._journal(self.journal.release, entry.key)
            return
        if await self._in_conversation(tracker_store, entry):
            log_event(logger, "wechat.journal_already_in_conversation", logging.INFO, openid=entry.openid, key=entry.key)
            await self._finish(entry.key)
            return
        inbound = Inbound(TURN, entry.openid, entry.account, (entry.key,), text=entry.text,
                          message_id=entry.message_id, metadata=entry.metadata, cut=entry.cut)
        collector = WeChatCollector()
        replayed = ReplayedTurn(asyncio.ensure_future(self._on_new_message(self._user_message(inbound, entry.key, collector))),
                                collector, inbound, entry.received_at)
        self._replaying[entry.key] = replayed
        log_event(logger, "wechat.journal_replay", logging.INFO, openid=entry.openid, key=entry.key,
                  age=round(time.time() - entry.received_at, 1))
        try:
            await replayed.turn
        except Exception:
            logger.exception("wechat.turn_failed openid=%s", entry.openid)
            replayed.taken = True
            await self._finish(entry.key)
            return
        finally:
            self._replaying.pop(entry.key, None)
        if replayed.waiting:   # a WeChat retry is waiting for this turn: it answers passively, unless it gave up
            try:
                await asyncio.wait_for(replayed.decided.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
        if replayed.taken:   # a WeChat retry answered it passively
            return
        replayed.taken = True
        await self._deliver(collector, inbound, entry.received_at)
        await self._finish(entry.key)

    @staticmethod
    async def _in_conversation(tracker_store: Any, entry: JournalEntry) -> bool:
        if tracker_store is None or not entry.message_id:
            return False
        tracker = await tracker_store.retrieve_full_tracker(entry.openid)
        return tracker is not None and any(
            isinstance(event, UserUttered) and event.message_id == entry.message_id for event in tracker.events)

    async def _rendered(self, collector: CollectingOutputChannel, inbound: Inbound) -> RenderedTurn:
        """The turn's messages as WeChat shows them; a handover starts the agent session (the follower's next
        message is transferred)."""
        rendered = render_turn(self._turn_messages(collector, inbound), self.content.text("button_hint"))
        if rendered.handoff:
            await self.agent_sessions.started(inbound.openid)
        return rendered

    def _turn_messages(self, collector: CollectingOutputChannel, inbound: Inbound) -> List[Dict[str, Any]]:
        """The turn's messages, after a note that only the start of an over-long message was read."""
        if not inbound.cut:
            return collector.messages
        note = self.content.text("message_cut").format(limit=self.settings.max_message_chars)
        return [{"recipient_id": inbound.openid, "text": note}] + collector.messages

    async def _forget(self, inbound: Inbound, request: Request) -> None:
        """Unsubscribe: erase the follower's data in the back ends and their conversation, with no dialogue turn
        (it must work with the action server down); what cannot be erased now is journalled and retried."""
        failed = await self._erasure(request).erase(inbound.openid)
        log_event(logger, "wechat.follower_forgotten", logging.INFO, openid=inbound.openid, deferred=",".join(failed) or "-")

    def _erasure(self, request: Request) -> FollowerErasure:
        erasers = dict(backend_erasers())
        agent = getattr(request.app.ctx, "agent", None)
        if agent is not None:
            erasers[CONVERSATION] = lambda openid, before: forget_conversation(agent.tracker_store, openid, before)
        erasers[INBOUND_JOURNAL] = self._forget_journalled
        return FollowerErasure(erasers, self.erasure_journal)

    async def _forget_journalled(self, openid: str, before: datetime) -> int:
        cutoff = clock.aware(before).timestamp()   # the journal keeps epoch seconds
        return await asyncio.get_running_loop().run_in_executor(None, self.journal.forget, openid, cutoff)

    def _retry_erasures(self, request: Request) -> None:
        """Journalled erasures are retried in the background, at most every `erasure_retry_seconds`."""
        now = time.monotonic()
        if now - self._erasures_tried_at < self.settings.erasure_retry_seconds:
            return
        self._erasures_tried_at = now
        if self.erasure_journal.path.exists() and self.erasure_journal.path.stat().st_size:
            self._keep(asyncio.ensure_future(self._erasure(request).retry_pending()))

    async def _resume(self, request: Request, openid: str) -> bool:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is not None and await resume_conversation(agent, openid):
            log_event(logger, "wechat.agent_session_over", logging.INFO, openid=openid)
            return True
        return False

    def _keep(self, task: asyncio.Future) -> None:
        """Hold a reference to background work so it is not garbage-collected mid-flight."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)
