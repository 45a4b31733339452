"""Turn a decrypted WeChat message/event into what the channel does with it (a Rasa turn, a fixed reply, nothing)."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from wechatpy import parse_message

from channels.text_input import DEFAULT_MAX_MESSAGE_CHARS, cap_text, clean_text
from channels.wechat.content import ChannelContent

# What the channel does with an inbound message.
TURN = "turn"            # run a Rasa turn with `text`
FIXED_REPLY = "reply"    # answer `text` directly, no Rasa turn
FORGET = "forget"        # unsubscribe: delete the follower's conversation
IGNORE = "ignore"        # acknowledge, no turn, no reply

AGENT_DONE = "agent_done"   # WeChat's human agent closed the session: the bot takes over again
TEMPLATE_RESULT = "template_result"   # TEMPLATESENDJOBFINISH: update the delivery record, no turn, no reply

# What WeChat counts for the customer-service window (bot.backends.interactions): a message, or an event
# (menu click, follow, QR scan).
MESSAGE_INTERACTION, EVENT_INTERACTION = "message", "event"


class MalformedMessage(Exception):
    """The body is not a WeChat message we can read (bad XML, entities, missing fields, non-numeric ids)."""


# Characters XML 1.0 forbids (raw or as character references). A follower can type some of them; expat then
# refuses the whole message and the follower got no answer at all. They carry no meaning, so they go first.
_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
    "|&#0*(?:[0-8]|1[124-9]|2[0-9]|3[01]);"
    "|&#[xX]0*(?:[0-8]|[bBcC]|[eEfF]|1[0-9a-fA-F]|[fF]{3}[eEfF]);"
)


def without_xml_illegal_characters(xml: str) -> str:
    return _XML_ILLEGAL.sub("", xml)


@dataclass(frozen=True)
class Inbound:
    action: str
    openid: str
    account: str
    dedupe_key: Tuple[str, ...]
    text: str = ""
    message_id: Optional[str] = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    is_user_message: bool = False   # user messages may be transferred to human agents; events may not
    cut: bool = False               # the text was longer than `max_message_chars`: tell the follower
    interaction: Optional[str] = None   # opens WeChat's customer-service window: "message" or "event"


def _intent(name: str, entities: Optional[Dict[str, Any]] = None) -> str:
    """Rasa's intent-trigger syntax: /intent{"entity": value}."""
    return f"/{name}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{name}"


def _coordinates(latitude: Any, longitude: Any) -> Optional[Dict[str, float]]:
    """Latitude and longitude as numbers within the globe, or None when the message's values are not."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return {"latitude": lat, "longitude": lng}


def read_inbound(xml: str, content: ChannelContent, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> Inbound:
    """What to do with one message; typed text is cleaned and capped at `max_chars` (see channels.text_input)."""
    try:
        message = parse_message(without_xml_illegal_characters(xml))
    except Exception as error:  # ExpatError, KeyError('MsgType'), ValueError('entities are disabled')
        raise MalformedMessage(type(error).__name__) from error
    if message is None or not getattr(message, "source", None):
        raise MalformedMessage("empty or sender-less message")
    try:
        return _classify(message, content, max_chars)
    except (TypeError, ValueError) as error:  # wechatpy converts MsgId, CreateTime… lazily: int("abc")
        raise MalformedMessage(f"unreadable field ({type(error).__name__})") from error


def _typed(text: str, meta: Dict[str, Any], max_chars: int, content: ChannelContent, base: Dict[str, Any],
           when_empty: str) -> Inbound:
    """A turn with what the follower typed or said, or the channel text `when_empty` if nothing visible is left."""
    cleaned = clean_text(text)
    if not cleaned.strip():
        return Inbound(FIXED_REPLY, text=content.text(when_empty), metadata=meta, **base)
    capped = cap_text(cleaned.strip(), max_chars)
    if capped.cut:
        meta["wechat"]["original_chars"] = capped.original_chars
    return Inbound(TURN, text=capped.text, metadata=meta, cut=capped.cut, **base)


def _classify(message: Any, content: ChannelContent, max_chars: int) -> Inbound:
    raw: Dict[str, Any] = dict(message._data)
    common = {"openid": message.source, "account": message.target}
    kind = message.type
    if kind != "event":
        key: Tuple[str, ...] = ("m", message.target, str(message.id))
        meta = {"wechat": {"msg_type": kind, "msg_id": str(message.id), "create_time": message.time}}
        base = dict(common, dedupe_key=key, message_id=str(message.id), is_user_message=True, interaction=MESSAGE_INTERACTION)
        if kind == "text":
            return _typed(message.content or "", meta, max_chars, content, base, when_empty="message_empty")
        if kind == "voice":
            meta["wechat"]["voice_media_id"] = message.media_id
            return _typed(message.recognition or "", meta, max_chars, content, base, when_empty="voice_not_recognised")
        if kind == "location":
            entities = _coordinates(message.location_x, message.location_y)
            if entities is None:
                return Inbound(FIXED_REPLY, text=content.text("location_unreadable"), metadata=meta, **base)
            meta["wechat"]["label"] = message.label
            return Inbound(TURN, text=_intent("share_location", entities), metadata=meta, **base)
        if kind == "image":
            meta["wechat"].update(pic_url=message.image, media_id=message.media_id)
            return Inbound(TURN, text=_intent("send_image"), metadata=meta, **base)
        return Inbound(FIXED_REPLY, text=content.text("unsupported_message"), metadata=meta, **base)

    event = message.event
    key = ("e", message.target, message.source, str(message.time), event, str(raw.get("EventKey") or ""))
    base = dict(common, dedupe_key=key, metadata={"wechat": {"msg_type": "event", "event": event}})
    if event == "templatesendjobfinish":
        base["metadata"]["wechat"].update(msg_id=str(message.id), status=str(message.status or ""))
        return Inbound(TEMPLATE_RESULT, **base)
    opens = dict(base, interaction=EVENT_INTERACTION)
    if event == "subscribe":
        return Inbound(TURN, text=_intent("subscribe"), **opens)
    if event in ("subscribe_scan", "scan"):
        scene = str(message.scene_id)
        intent = content.intent_for_scene(scene)
        return Inbound(TURN, text=_intent(intent) if intent else _intent("subscribe", {"scene": scene}), **opens)
    if event == "click":
        intent = content.intent_for_click(message.key)
        return Inbound(TURN, text=_intent(intent), **opens) if intent else Inbound(IGNORE, **opens)
    if event == "unsubscribe":
        return Inbound(FORGET, **base)
    if event == "kf_close_session":
        # The bot takes over again and asks about the agent's service (a survey, once per session).
        base["metadata"]["wechat"]["create_time"] = message.time
        return Inbound(AGENT_DONE, text=_intent("agent_session_closed"), **base)
    return Inbound(IGNORE, **base)  # VIEW, LOCATION reports, template/mass results, kf sessions, unknown
