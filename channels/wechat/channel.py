"""Rasa input channel for a WeChat Official Account in server-URL mode (plain, compat and safe modes).

Order of work per POST: size → signature → freshness → mode → msg_signature and decrypt → nonce → parse
(text cleaned and capped) → de-duplicate → run the Rasa turn as a task → reply within the budget, or answer empty
and deliver later by customer-service API. No request, however odd, gets an HTTP 500 (WeChat would show its error
prompt, and Sanic would log the signed URL); our own log lines never carry the query string.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

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
    Inbound,
    MalformedMessage,
    read_inbound,
)
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

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WeChatCustomerServiceOutput(self.sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("wechat_webhook", __name__)

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
        collector = WeChatCollector()
        message = UserMessage(inbound.text, collector, inbound.openid, input_channel=self.name(),
                              message_id=inbound.message_id, metadata=inbound.metadata)
        turn = asyncio.ensure_future(on_new_message(message))
        try:
            await asyncio.wait_for(asyncio.shield(turn), timeout=max(remaining(), 0))
        except asyncio.TimeoutError:
            log_event(logger, "wechat.turn_late", logging.INFO, openid=inbound.openid, budget=self.settings.reply_budget_seconds)
            await self.ledger.settle(key, "")
            self._keep(asyncio.ensure_future(self.sender.show_typing(inbound.openid)))
            self._keep(asyncio.ensure_future(self._deliver_later(turn, collector, inbound, started, received_at)))
            return ""
        except Exception:
            logger.exception("wechat.turn_failed openid=%s", inbound.openid)
            await self.ledger.settle(key, "")
            self.latency.record(received_at, None, LOST)
            return ""
        rendered = render_turn(self._turn_messages(collector, inbound), self.content.text("button_hint"))
        if rendered.handoff:
            await self.agent_sessions.started(inbound.openid)
        reply, leftover = passive_reply_xml(rendered, inbound.openid, inbound.account)
        await self.ledger.settle(key, reply)
        self.latency.record(received_at, time.monotonic() - started, PASSIVE)
        if not leftover.is_empty:
            self._keep(asyncio.ensure_future(self.sender.deliver(customer_service_payloads(leftover, inbound.openid))))
        return reply

    async def _deliver_later(self, turn: asyncio.Future, collector: CollectingOutputChannel, inbound: Inbound,
                             started: float, received_at: float) -> None:
        try:
            await turn
        except Exception:
            logger.exception("wechat.turn_failed openid=%s", inbound.openid)
            self.latency.record(received_at, None, LOST)
            return
        rendered = render_turn(self._turn_messages(collector, inbound), self.content.text("button_hint"))
        if rendered.handoff:
            await self.agent_sessions.started(inbound.openid)  # the follower's next message is transferred
        bodies = customer_service_payloads(rendered, inbound.openid)
        delivery = await self.sender.deliver(bodies)
        delivered = delivery.sent > 0 or not bodies
        self.latency.record(received_at, time.monotonic() - started if delivered else None, LATE if delivered else LOST)
        log_event(logger, "wechat.delivered_late", logging.INFO, openid=inbound.openid, sent=delivery.sent, errcode=delivery.errcode)

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
            erasers[CONVERSATION] = lambda openid: forget_conversation(agent.tracker_store, openid)
        return FollowerErasure(erasers, self.erasure_journal)

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
