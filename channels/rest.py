"""Rasa's REST channel with its input checked: register in credentials.yml as `channels.rest.RestInput`.

Same name ("rest"), so the URL stays /webhooks/rest/webhook, and the same request and answer formats
(`{"sender": ..., "message": ...}` → a JSON list of bot messages; `?stream=true` streams them). What Rasa's own
channel lacks: a body that is not a JSON object, or a missing or non-string `sender`/`message`, got HTTP 500;
here it gets HTTP 400 with a JSON error. The text is cleaned and capped like the WeChat channel's
(channels.text_input), and a cut message is answered with a note first. Failures are logged without the text.
"""
from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.logs import log_event
from channels.text_input import DEFAULT_MAX_MESSAGE_CHARS, cap_text, clean_text, read_max_chars
from channels.wechat.content import ChannelContent, load_content

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    """The body is not a message this channel can take; the text is the JSON error for the caller."""


class RestInput(RasaRestInput):
    """Checked REST input; `max_message_chars` (credentials.yml) caps what reaches NLU."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(read_max_chars(credentials.get("max_message_chars"), "rest channel"))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS, content: Optional[ChannelContent] = None) -> None:
        self.max_message_chars = max_message_chars
        self.content = content or load_content()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                body = read_body(request.body or b"")
            except BadRequest as problem:
                log_event(logger, "rest.rejected", logging.WARNING, reason=str(problem))
                return response.json({"error": str(problem)}, status=400)
            capped = cap_text(clean_text(body["message"]), self.max_message_chars)
            sender = body["sender"]
            channel = body.get("input_channel") or self.name()
            metadata = body.get("metadata")
            notes = [self._cut_note(sender)] if capped.cut else []
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self._stream(notes, on_new_message, capped.text, sender, channel, metadata),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(capped.text, collector, sender, input_channel=channel, metadata=metadata))
            except CancelledError:
                log_event(logger, "rest.turn_timeout", logging.ERROR, sender=sender)
            except Exception as error:
                log_event(logger, "rest.turn_failed", logging.ERROR, sender=sender, error=type(error).__name__)
            return response.json(notes + collector.messages)

        return hook

    def _cut_note(self, sender: str) -> Dict[str, Any]:
        """Rasa's message shape, so clients show the note like any bot text."""
        return {"recipient_id": sender, "text": self.content.text("message_cut").format(limit=self.max_message_chars)}

    def _stream(self, notes: List[Dict[str, Any]], on_new_message: Callable, text: str, sender: str, channel: str,
                metadata: Optional[Dict[str, Any]]) -> Callable[[Any], Awaitable[None]]:
        rasa_stream = self.stream_response(on_new_message, text, sender, channel, metadata)

        async def stream(resp: Any) -> None:
            for note in notes:
                await resp.write(json.dumps(note) + "\n")
            await rasa_stream(resp)

        return stream


def read_body(raw: bytes) -> Dict[str, Any]:
    """The request as a dict with a string `sender` and `message`, or BadRequest saying what is wrong."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}")
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object: {\"sender\": \"...\", \"message\": \"...\"}")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest("\"sender\" must be a non-empty string")
    if not isinstance(message, str):
        raise BadRequest("\"message\" must be a string")
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        raise BadRequest("\"metadata\" must be a JSON object when given")
    if body.get("input_channel") is not None and not isinstance(body["input_channel"], str):
        raise BadRequest("\"input_channel\" must be a string when given")
    return body
