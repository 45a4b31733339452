"""WeChat's message server, played locally: signs (and encrypts) pushes, POSTs them to the bot's URL with a
5-second client timeout and WeChat's retries, then checks each reply the way WeChat would."""
from __future__ import annotations

import re
import secrets
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import requests

from bot.wechat_sim.crypto import CryptoError, MessageCipher, sign

PLAIN, COMPAT, SAFE = "plain", "compat", "safe"
REPLY_TYPES = {"text", "image", "voice", "video", "music", "news", "transfer_customer_service"}
MAX_TEXT_BYTES = 2048
ERROR_PROMPT = "该公众号暂时无法提供服务，请稍后再试"


@dataclass(frozen=True)
class AccountConfig:
    url: str
    token: str
    app_id: str
    account: str = "gh_sim0000000001"
    encoding_aes_key: Optional[str] = None
    mode: str = SAFE


@dataclass
class Reply:
    msg_type: str
    content: str = ""
    articles: List[Dict[str, str]] = field(default_factory=list)
    xml: str = ""


@dataclass
class PushResult:
    attempts: int
    seconds: float                 # from the first POST to the answer that counted
    reply: Optional[Reply]         # None: no passive reply ("" or success)
    problems: List[str]            # what WeChat would reject; non-empty means the follower saw ERROR_PROMPT
    status: int = 200

    @property
    def accepted(self) -> bool:
        return not self.problems


def _text_of(root: ElementTree.Element, name: str) -> str:
    node = root.find(name)
    return node.text or "" if node is not None else ""


class WeChatPlatform:
    def __init__(self, config: AccountConfig, attempts: int = 3, timeout: float = 5.0, keep_alive: bool = True) -> None:
        """keep_alive=False opens a new connection per request, so requests spread over a server's workers
        (or instances behind a load balancer) instead of sticking to the one that took the first."""
        self.config = config
        self.attempts = attempts
        self.timeout = timeout
        self._headers = {"Content-Type": "text/xml"} if keep_alive else {"Content-Type": "text/xml", "Connection": "close"}
        self._cipher = MessageCipher(config.encoding_aes_key, config.app_id) if config.encoding_aes_key else None
        self._http = requests.Session()

    # -- building a push ---------------------------------------------------------------------------
    def signed_query(self, timestamp: Optional[str] = None, nonce: Optional[str] = None) -> Dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        return {"signature": sign(self.config.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}

    def envelope(self, xml: str, openid: str, timestamp: Optional[str] = None,
                 nonce: Optional[str] = None) -> (Dict[str, str], bytes):  # type: ignore[syntax]
        """Query string and body for this account's mode; a fresh nonce, timestamp and signature unless given
        (WeChat's docs do not say whether a retry keeps its nonce; tests try both)."""
        query = dict(self.signed_query(timestamp, nonce), openid=openid)
        if self.config.mode == PLAIN:
            return query, xml.encode("utf-8")
        encrypted = self._cipher.encrypt(xml)  # type: ignore[union-attr]
        query.update(encrypt_type="aes", msg_signature=sign(self.config.token, query["timestamp"], query["nonce"], encrypted))
        if self.config.mode == COMPAT:
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        else:
            # Not parsed: tests send messages that are not well-formed XML (control characters a follower typed).
            account = re.search(r"<ToUserName>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</ToUserName>", xml)
            to_user = account.group(1) if account else self.config.account
            body = f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return query, body.encode("utf-8")

    # -- sending -----------------------------------------------------------------------------------
    def verify_url(self, echostr: str = "4375120948345356249") -> bool:
        query = dict(self.signed_query(), echostr=echostr)
        answer = self._http.get(self.config.url, params=query, timeout=self.timeout)
        return answer.status_code == 200 and answer.text == echostr

    def post_raw(self, query: Dict[str, str], body: bytes) -> requests.Response:
        return self._http.post(self.config.url, params=query, data=body, timeout=self.timeout, headers=self._headers)

    def push(self, xml: str, openid: str) -> PushResult:
        """Deliver like WeChat: identical XML on every retry, a new signature each time, 5 s per attempt."""
        started = time.monotonic()
        for attempt in range(1, self.attempts + 1):
            query, body = self.envelope(xml, openid)
            try:
                answer = self.post_raw(query, body)
            except (requests.Timeout, requests.ConnectionError):
                continue
            seconds = time.monotonic() - started
            if answer.status_code != 200:
                return PushResult(attempt, seconds, None, [f"HTTP {answer.status_code}"], answer.status_code)
            reply, problems = self.read_reply(answer.content, openid)
            return PushResult(attempt, seconds, reply, problems)
        return PushResult(self.attempts, time.monotonic() - started, None, [f"no answer within {self.timeout} s, {self.attempts} times"])

    # -- checking a reply --------------------------------------------------------------------------
    def read_reply(self, raw: bytes, openid: str):  # type: ignore[no-untyped-def]
        text = raw.decode("utf-8", "replace")
        if text in ("", "success"):
            return None, []
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            return None, [f"invalid XML: {error}"]
        encrypted = root.find("Encrypt")
        if encrypted is not None:
            if self._cipher is None:
                return None, ["encrypted reply but the account is in plain mode"]
            expected = sign(self.config.token, _text_of(root, "TimeStamp"), _text_of(root, "Nonce"), encrypted.text or "")
            if expected != _text_of(root, "MsgSignature"):
                return None, ["bad MsgSignature on the reply"]
            try:
                text = self._cipher.decrypt(encrypted.text or "")
                root = ElementTree.fromstring(text)
            except (CryptoError, ElementTree.ParseError) as error:
                return None, [f"undecryptable reply: {error}"]
        elif self.config.mode == SAFE:
            return None, ["plaintext reply in safe mode"]
        return self._check_message(root, text, openid)

    def _check_message(self, root: ElementTree.Element, xml: str, openid: str):  # type: ignore[no-untyped-def]
        problems = []
        if _text_of(root, "ToUserName") != openid:
            problems.append("reply addressed to the wrong follower")
        if _text_of(root, "FromUserName") != self.config.account:
            problems.append("reply not from this account")
        msg_type = _text_of(root, "MsgType")
        if msg_type not in REPLY_TYPES:
            problems.append(f"unknown MsgType {msg_type!r}")
        reply = Reply(msg_type=msg_type, xml=xml)
        if msg_type == "text":
            reply.content = _text_of(root, "Content")
            if len(reply.content.encode("utf-8")) > MAX_TEXT_BYTES:
                problems.append("text longer than 2048 bytes")
        if msg_type == "news":
            items = root.findall("Articles/item")
            reply.articles = [{child.tag: child.text or "" for child in item} for item in items]
            if _text_of(root, "ArticleCount") != str(len(items)) or len(items) != 1:
                problems.append("a passive news reply must carry exactly one article")
        return reply, problems
