"""A follower's side of the chat: type messages (or run a script), see passive replies and the later
customer-service and template messages in the order they arrive (a template message is reported back to the
bot as WeChat does, TEMPLATESENDJOBFINISH).

Commands: /click KEY, /location LAT LNG, /voice TEXT (empty: unrecognised), /image [URL], /subscribe [SCENE],
/scan SCENE, /unsubscribe, /agent-close (a human agent closes the session after 「转人工」), /quit. Anything else
is a text message.
"""
from __future__ import annotations

import shlex
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, TextIO, Tuple

import requests

from bot.wechat_sim.messages import MessageFactory
from bot.wechat_sim.platform import ERROR_PROMPT, PushResult, WeChatPlatform

PROMPT = "你> "
# The agent's account WeChat names in kf_close_session (工号@微信号); the stand-in plays one agent.
SIM_AGENT = "kf2001@sim"


@dataclass
class Line:
    who: str      # "bot" (passive), "bot·客服" (customer-service API), "bot·模板" (template message), "system"
    text: str


def describe_cs(body: dict) -> str:
    kind = body.get("msgtype")
    if kind == "text":
        return body["text"]["content"]
    if kind == "news":
        article = body["news"]["articles"][0]
        return f"[图文] {article.get('title')}\n{article.get('description')}\n{article.get('url')}"
    return f"[{kind}]"


def describe_template(body: dict) -> str:
    """A template message as the follower's phone lists it: its keyword values, one a line."""
    values = [f"{name}: {entry.get('value')}" for name, entry in (body.get("data") or {}).items()]
    return f"[模板消息 {body.get('template_id')}]\n" + "\n".join(values)


def describe_reply(result: PushResult) -> List[Line]:
    if result.problems:
        return [Line("system", f"{ERROR_PROMPT}（{'; '.join(result.problems)}）")]
    if result.reply is None:
        return []
    reply = result.reply
    if reply.msg_type == "text":
        return [Line("bot", reply.content)]
    if reply.msg_type == "news":
        a = reply.articles[0]
        return [Line("bot", f"[图文] {a.get('Title')}\n{a.get('Description')}\n{a.get('Url')}")]
    if reply.msg_type == "transfer_customer_service":
        return [Line("system", "（已转接人工客服，请等待客服人员回复）")]
    return [Line("bot", f"[{reply.msg_type}]")]


def xml_for_line(messages: MessageFactory, line: str) -> Optional[Tuple[str, Optional[str]]]:
    """(xml, interaction kind, or None when WeChat opens no window for it) for a line typed in the chat or a
    scripted conversation, or None for an unknown command."""
    if not line.startswith("/") or line.startswith("//"):
        return messages.text(line[1:] if line.startswith("//") else line), "message"
    parts = shlex.split(line)
    command, args = parts[0], parts[1:]
    if command == "/click" and args:
        return messages.click(args[0]), "event"
    if command == "/location" and len(args) == 2:
        return messages.location(float(args[0]), float(args[1])), "message"
    if command == "/voice":
        return messages.voice(" ".join(args) or None), "message"
    if command == "/image":
        return (messages.image(args[0]) if args else messages.image()), "message"
    if command == "/subscribe":
        return messages.subscribe(args[0] if args else None), "event"
    if command == "/scan" and args:
        return messages.scan(args[0]), "event"
    if command == "/unsubscribe":
        return messages.unsubscribe(), "unsubscribe"
    if command == "/agent-close" and len(args) <= 1:
        # WeChat's agent ends the session: an event from the agent's side, so no customer-service window opens.
        return messages.event("kf_close_session", KfAccount=args[0] if args else SIM_AGENT), None
    return None


class Follower:
    def __init__(self, platform: WeChatPlatform, openid: str, api_root: Optional[str]) -> None:
        self.platform = platform
        self.openid = openid
        self.messages = MessageFactory(platform.config.account, openid)
        self.api_root = api_root.rstrip("/") if api_root else None
        self._seen = 0
        self._sms_seen: Optional[int] = None
        self.new_sms()

    def _interaction(self, kind: str) -> None:
        if self.api_root:
            try:
                requests.post(f"{self.api_root}/sim/interaction", json={"openid": self.openid, "kind": kind}, timeout=2)
            except requests.RequestException:
                pass

    def xml_for(self, line: str) -> Optional[Tuple[str, Optional[str]]]:
        return xml_for_line(self.messages, line)

    def send(self, line: str) -> List[Line]:
        built = self.xml_for(line)
        if built is None:
            return [Line("system", "未知命令。可用：/click KEY, /location 纬度 经度, /voice 文字, /image, /subscribe [场景], "
                                   "/scan 场景, /unsubscribe, /agent-close（人工客服结束会话）, /quit")]
        xml, kind = built
        if kind is not None:
            self._interaction(kind)
        return describe_reply(self.platform.push(xml, self.openid))

    def new_sms(self) -> List[Line]:
        """SMS the development run sent since the chat started (the follower's phone)."""
        from bot.backends.sms import DevInboxSmsGateway

        try:
            messages = DevInboxSmsGateway().messages()
        except Exception:
            return []
        if self._sms_seen is None:
            self._sms_seen = len(messages)
            return []
        fresh, self._sms_seen = messages[self._sms_seen:], len(messages)
        return [Line("sms", f"{m['mobile'][:3]}****{m['mobile'][-4:]}：{m['text']}") for m in fresh]

    def new_customer_service_messages(self) -> List[Line]:
        lines = self.new_sms()
        if not self.api_root:
            return lines
        try:
            inbox = requests.get(f"{self.api_root}/sim/inbox", params={"openid": self.openid, "after": self._seen}, timeout=2).json()
        except (requests.RequestException, ValueError):
            return lines
        for item in inbox:
            self._seen = max(self._seen, item["seq"])
            if "template_id" in item["body"]:
                lines.append(Line("bot·模板", describe_template(item["body"])))
                self._template_finished(item.get("msgid"))
            else:
                lines.append(Line("bot·客服", describe_cs(item["body"])))
        return lines

    def _template_finished(self, msgid: Optional[int]) -> None:
        """WeChat reports a delivered template message to the account's URL (TEMPLATESENDJOBFINISH)."""
        if msgid is None:
            return
        try:
            self.platform.push(self.messages.template_finished(int(msgid), "success"), self.openid)
        except requests.RequestException:
            pass


def _print(lines: Iterable[Line], out: TextIO) -> None:
    for line in lines:
        label = {"bot": "公众号", "bot·客服": "公众号(客服消息)", "bot·模板": "公众号(模板消息)", "system": "微信",
                 "sms": "手机短信"}[line.who]
        out.write(f"{label}> {line.text}\n")
    out.flush()


def run_script(follower: Follower, lines: Iterable[str], out: Optional[TextIO] = None, settle_seconds: float = 0.0) -> None:
    """Scripted mode: one message per line; prints replies, then any customer-service messages."""
    out = out or sys.stdout  # looked up per call, so a replaced sys.stdout (tests, redirection) is honoured
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        out.write(f"{PROMPT}{line}\n")
        _print(follower.send(line), out)
        _print(follower.new_customer_service_messages(), out)
    if settle_seconds:
        time.sleep(settle_seconds)
        _print(follower.new_customer_service_messages(), out)


def run_interactive(follower: Follower, read: Callable[[str], str] = input, out: Optional[TextIO] = None) -> None:
    out = out or sys.stdout
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(1.0):
            lines = follower.new_customer_service_messages()
            if lines:
                out.write("\n")
                _print(lines, out)
                out.write(PROMPT)
                out.flush()

    threading.Thread(target=poll, daemon=True).start()
    out.write(__doc__.split("\n\n", 1)[1] + "\n")
    try:
        while True:
            try:
                line = read(PROMPT).strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if line:
                _print(follower.send(line), out)
    except KeyboardInterrupt:
        out.write("\n")
    finally:
        stop.set()
