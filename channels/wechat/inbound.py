"""Turn a decrypted WeChat message/event into what the channel does with it (a Rasa turn, a fixed reply, nothing)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from wechatpy import parse_message

from channels.wechat.content import ChannelContent

# What the channel does with an inbound message.
TURN = "turn"            # run a Rasa turn with `text`
FIXED_REPLY = "reply"    # answer `text` directly, no Rasa turn
FORGET = "forget"        # unsubscribe: delete the follower's conversation
IGNORE = "ignore"        # acknowledge, no turn, no reply

AGENT_DONE = "agent_done"   # WeChat's human agent closed the session: the bot takes over again


class MalformedMessage(Exception):
    """The body is not a WeChat message we can read (bad XML, entities, missing fields)."""


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


def _intent(name: str, entities: Optional[Dict[str, Any]] = None) -> str:
    """Rasa's intent-trigger syntax: /intent{"entity": value}."""
    return f"/{name}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{name}"


def read_inbound(xml: str, content: ChannelContent) -> Inbound:
    try:
        message = parse_message(xml)
    except Exception as error:  # ExpatError, KeyError('MsgType'), ValueError('entities are disabled')
        raise MalformedMessage(type(error).__name__) from error
    if message is None or not getattr(message, "source", None):
        raise MalformedMessage("empty or sender-less message")

    raw: Dict[str, Any] = dict(message._data)
    common = {"openid": message.source, "account": message.target}
    kind = message.type
    if kind != "event":
        key: Tuple[str, ...] = ("m", message.target, str(message.id))
        meta = {"wechat": {"msg_type": kind, "msg_id": str(message.id), "create_time": message.time}}
        base = dict(common, dedupe_key=key, message_id=str(message.id), is_user_message=True)
        if kind == "text":
            return Inbound(TURN, text=message.content or "", metadata=meta, **base)
        if kind == "voice":
            if message.recognition:
                meta["wechat"]["voice_media_id"] = message.media_id
                return Inbound(TURN, text=message.recognition, metadata=meta, **base)
            return Inbound(FIXED_REPLY, text=content.text("voice_not_recognised"), metadata=meta, **base)
        if kind == "location":
            entities = {"latitude": float(message.location_x), "longitude": float(message.location_y)}
            meta["wechat"]["label"] = message.label
            return Inbound(TURN, text=_intent("share_location", entities), metadata=meta, **base)
        if kind == "image":
            meta["wechat"].update(pic_url=message.image, media_id=message.media_id)
            return Inbound(TURN, text=_intent("send_image"), metadata=meta, **base)
        return Inbound(FIXED_REPLY, text=content.text("unsupported_message"), metadata=meta, **base)

    event = message.event
    key = ("e", message.target, message.source, str(message.time), event, str(raw.get("EventKey") or ""))
    base = dict(common, dedupe_key=key, metadata={"wechat": {"msg_type": "event", "event": event}})
    if event == "subscribe":
        return Inbound(TURN, text=_intent("subscribe"), **base)
    if event in ("subscribe_scan", "scan"):
        scene = str(message.scene_id)
        intent = content.intent_for_scene(scene)
        return Inbound(TURN, text=_intent(intent) if intent else _intent("subscribe", {"scene": scene}), **base)
    if event == "click":
        intent = content.intent_for_click(message.key)
        return Inbound(TURN, text=_intent(intent), **base) if intent else Inbound(IGNORE, **base)
    if event == "unsubscribe":
        return Inbound(FORGET, **base)
    if event == "kf_close_session":
        return Inbound(AGENT_DONE, **base)
    return Inbound(IGNORE, **base)  # VIEW, LOCATION reports, template/mass results, kf sessions, unknown
