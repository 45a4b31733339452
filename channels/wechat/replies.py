"""Render a turn's bot messages as ONE passive reply, plus whatever must follow by customer-service API.

WeChat accepts exactly one message per inbound POST: texts are merged (Rasa split them on blank lines),
buttons become a numbered list, an article (custom payload `{"wechat_article": {...}}`) is sent as a one-item
news reply, and a handoff (custom payload `{"handoff": true}`) becomes `transfer_customer_service`.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from wechatpy.replies import ArticlesReply, TextReply, TransferCustomerServiceReply

MAX_TEXT_BYTES = 2048
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Article:
    title: str
    description: str
    url: str
    picurl: str


@dataclass
class RenderedTurn:
    texts: List[str] = field(default_factory=list)        # merged text chunks, each ≤ MAX_TEXT_BYTES
    articles: List[Article] = field(default_factory=list)
    handoff: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.texts and not self.articles and not self.handoff


def safe_xml_text(text: str) -> str:
    """Strip characters XML 1.0 forbids and split `]]>` so it cannot close wechatpy's CDATA section."""
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def split_by_bytes(text: str, limit: int = MAX_TEXT_BYTES) -> List[str]:
    """Chunks of at most `limit` UTF-8 bytes, cut at line ends where possible, never inside a character."""
    chunks: List[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(line.encode("utf-8")) > limit:
            cut = limit
            while len(line[:cut].encode("utf-8")) > limit:
                cut -= 1
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        chunks.append(current)
    return chunks


def _buttons_text(text: str, buttons: List[Dict[str, Any]], hint: str, first_number: int) -> str:
    """Buttons as "n. title" lines. Numbers run on across the turn, as the bot's choice action counts them."""
    lines = [text] if text else [hint]
    lines += [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, start=first_number)]
    return "\n".join(lines)


def render_turn(messages: List[Dict[str, Any]], button_hint: str) -> RenderedTurn:
    turn = RenderedTurn()
    parts: List[str] = []
    next_number = 1
    for message in messages:
        custom = message.get("custom") or {}
        if custom.get("handoff"):
            turn.handoff = True
        if "wechat_article" in custom:
            a = custom["wechat_article"]
            turn.articles.append(Article(a.get("title", ""), a.get("description", ""), a.get("url", ""), a.get("picurl", "")))
        text = message.get("text") or ""
        if message.get("buttons"):
            text = _buttons_text(text, message["buttons"], button_hint, next_number)
            next_number += len(message["buttons"])
        if message.get("image"):
            text = f"{text}\n{message['image']}" if text else message["image"]
        if text:
            parts.append(text)
    if parts:
        turn.texts = split_by_bytes("\n\n".join(parts))
    return turn


def passive_reply_xml(turn: RenderedTurn, openid: str, account: str) -> Tuple[str, RenderedTurn]:
    """The passive reply XML and what is left over for the customer-service API."""
    now = int(time.time())
    leftover = RenderedTurn(texts=list(turn.texts), articles=list(turn.articles))
    if turn.handoff:
        reply = TransferCustomerServiceReply(source=account, target=openid, time=now)
    elif turn.texts:  # texts first, so an article (e.g. a boarding pass) follows the words that announce it
        reply = TextReply(source=account, target=openid, time=now, content=safe_xml_text(leftover.texts.pop(0)))
    elif turn.articles:
        first = leftover.articles.pop(0)
        # Passed whole: wechatpy's add_article() appends to a list shared by every ArticlesReply.
        reply = ArticlesReply(source=account, target=openid, time=now, articles=[{
            "title": safe_xml_text(first.title), "description": safe_xml_text(first.description),
            "image": safe_xml_text(first.picurl), "url": safe_xml_text(first.url)}])
    else:
        return "", leftover
    return reply.render(), leftover


def customer_service_payloads(turn: RenderedTurn, openid: str) -> List[Dict[str, Any]]:
    """JSON bodies for /message/custom/send, texts first, one article per message (45008 otherwise)."""
    bodies: List[Dict[str, Any]] = [
        {"touser": openid, "msgtype": "text", "text": {"content": text}} for text in turn.texts
    ]
    bodies += [
        {"touser": openid, "msgtype": "news",
         "news": {"articles": [{"title": a.title, "description": a.description, "url": a.url, "picurl": a.picurl}]}}
        for a in turn.articles
    ]
    return bodies


