"""Runs YAML test conversations (tests/conversations/) against the running bot, through REST or the WeChat stand-in.

A conversation starts as a new, unbound follower on a freshly seeded demo database. Each turn's reply (all its
messages, buttons as numbered lines) is checked with `expect_all` / `expect_any` / `expect_none`; whether the bot
misunderstood or handed over is read from the conversation Rasa stored (the actions and responses it ran), so
those checks do not depend on wording.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests
import yaml

from bot.devstack import RunningBot

CONVERSATIONS_DIR = Path(__file__).resolve().parents[1] / "conversations"
# What the bot says (or the default fallbacks it runs) when it did not understand the message or could not act
# on it. `action_fallback` itself is judged by what it said: in context it may answer (an unsure yes to the
# bot's own open question), otherwise it says one of the responses below.
NOT_UNDERSTOOD = {"action_core_fallback", "action_default_fallback", "action_two_stage_fallback",
                  "utter_default", "utter_what_for", "utter_out_of_scope", "utter_nothing_to_choose",
                  "utter_no_such_option", "utter_did_you_mean", "utter_offer_human"}
HANDOFF = {"action_handoff"}
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def load_conversations(name: str = "heldout.yml") -> List[Dict[str, Any]]:
    return yaml.safe_load((CONVERSATIONS_DIR / name).read_text(encoding="utf-8"))["conversations"]


@dataclass
class TurnResult:
    user: str
    reply: str
    actions: List[str]
    problems: List[str] = field(default_factory=list)


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}))


def _rest_say(bot: RunningBot, sender: str, text: str) -> str:
    if text.startswith("/location"):
        _, lat, lon = text.split()
        text = "/share_location" + json.dumps({"latitude": float(lat), "longitude": float(lon)})
    elif text.strip() == "/image":
        text = "/send_image"
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    lines: List[str] = []
    number = 1
    for message in response.json():
        if message.get("text"):
            lines.append(message["text"])
        for button in message.get("buttons") or []:
            lines.append(f"{number}. {button.get('title', '')}")
            number += 1
        if message.get("custom"):
            lines.append(json.dumps(message["custom"], ensure_ascii=False))
    return "\n".join(lines)


class WeChatFollower:
    """One follower in the WeChat stand-in: passive replies plus what arrives by customer-service API."""

    def __init__(self, wechat_bot: Any, openid: str) -> None:
        from bot.wechat_sim.messages import MessageFactory

        self.platform = wechat_bot.platform()
        self.api = wechat_bot.api
        self.openid = openid
        self.factory = MessageFactory(self.platform.config.account, openid)

    def _inbox(self) -> List[Dict[str, Any]]:
        return [item for item in self.api.state.inbox if item["openid"] == self.openid]

    def say(self, text: str) -> str:
        from bot.wechat_sim.follower import xml_for_line

        seen = len(self._inbox())
        built = xml_for_line(self.factory, text.strip() if text.startswith("/") else text)
        if built is None:
            raise ValueError(f"the stand-in has no command {text!r}")
        xml, kind = built
        if kind is not None:   # WeChat opens the customer-service window (not for the agent's own events)
            self.api.state.record_interaction(self.openid, kind)
        result = self.platform.push(xml, self.openid)
        parts: List[str] = []
        if result.reply is not None:  # a transfer to a person has no content: its words come by customer-service API
            parts += [result.reply.content] if result.reply.content else []
            parts += [f"{a.get('title', '')} {a.get('description', '')}" for a in result.reply.articles]
        deadline, quiet_since = time.monotonic() + 8.0, time.monotonic()
        count = seen
        while time.monotonic() < deadline:  # later messages: until nothing new arrived for 0.6 s
            time.sleep(0.1)
            now_count = len(self._inbox())
            if now_count != count:
                count, quiet_since = now_count, time.monotonic()
            elif time.monotonic() - quiet_since > 0.6 and (parts or count > seen):
                break
        for item in self._inbox()[seen:]:
            body = item["body"]
            if body.get("msgtype") == "text":
                parts.append(body["text"]["content"])
            elif body.get("msgtype") == "news":
                parts += [f"{a.get('title', '')} {a.get('description', '')}" for a in body["news"]["articles"]]
        return "\n".join(parts)


class ConversationRunner:
    def __init__(self, bot: RunningBot, reseed: Callable[[], None], wechat_bot: Any = None) -> None:
        self.bot = bot
        self.reseed = reseed
        self.wechat_bot = wechat_bot

    def _events_after(self, sender: str, after_id: int) -> List[sqlite3.Row]:
        with sqlite3.connect(self.bot.workdir / "tracker.db") as connection:
            connection.row_factory = sqlite3.Row
            return connection.execute("select id, type_name, action_name, data from events where sender_id = ? and id > ?"
                                      " order by id", (sender, after_id)).fetchall()

    def _last_event_id(self, sender: str) -> int:
        with sqlite3.connect(self.bot.workdir / "tracker.db") as connection:
            row = connection.execute("select max(id) from events where sender_id = ?", (sender,)).fetchone()
        return row[0] or 0

    def _sms_code(self, mobile: str) -> str:
        inbox = self.bot.workdir / "sms.jsonl"
        if not inbox.exists():
            return "000000"
        lines = [json.loads(line) for line in inbox.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts = [item["text"] for item in lines if item["mobile"] == mobile]
        found = re.search(r"[0-9]{6}", texts[-1]) if texts else None
        return found.group(0) if found else "000000"

    def run(self, conversation: Dict[str, Any], sender: Optional[str] = None) -> List[TurnResult]:
        """Plays one conversation as a new follower (`sender`, default a fresh id) on a freshly seeded database."""
        self.reseed()
        sender = sender or f"ho-{uuid.uuid4().hex[:12]}"
        follower = WeChatFollower(self.wechat_bot, sender) if conversation.get("channel") == "wechat" else None
        mobile: Optional[str] = None
        results: List[TurnResult] = []
        for turn in conversation["turns"]:
            text = str(turn["user"])
            if "{code}" in text or "{wrong_code}" in text:
                code = self._sms_code(mobile or "")
                wrong = "000000" if code != "000000" else "111111"
                text = text.replace("{code}", code).replace("{wrong_code}", wrong)
            else:
                found = _MOBILE.search(_digits(text))
                if found and len(_digits(text)) <= 13:
                    mobile = found.group(0)
            before = self._last_event_id(sender)
            reply = follower.say(text) if follower else _rest_say(self.bot, sender, text)
            time.sleep(0.05)
            events = self._events_after(sender, before)
            ran = [row["action_name"] for row in events if row["type_name"] == "action" and row["action_name"]]
            ran += [json.loads(row["data"]).get("metadata", {}).get("utter_action") or "" for row in events
                    if row["type_name"] == "bot"]
            result = TurnResult(text, reply, [name for name in ran if name])
            result.problems = check_turn(turn, result)
            results.append(result)
        return results


def check_turn(turn: Dict[str, Any], result: TurnResult) -> List[str]:
    problems = []
    reply = result.reply
    for expected in turn.get("expect_all") or []:
        if str(expected) not in reply:
            problems.append(f"missing {expected!r}")
    anyof = [str(x) for x in turn.get("expect_any") or []]
    if anyof and not any(x in reply for x in anyof):
        problems.append(f"none of {anyof}")
    for unwanted in turn.get("expect_none") or []:
        if str(unwanted) in reply:
            problems.append(f"unwanted {unwanted!r}")
    handed_over = bool(HANDOFF & set(result.actions))
    if handed_over != bool(turn.get("handoff", False)):
        problems.append("handed over" if handed_over else "no handoff")
    if turn.get("understood", True) and NOT_UNDERSTOOD & set(result.actions):
        problems.append(f"not understood ({sorted(NOT_UNDERSTOOD & set(result.actions))})")
    return problems


def report(name: str, results: List[TurnResult]) -> str:
    lines = [f"conversation {name}:"]
    for result in results:
        mark = "FAIL " + "; ".join(result.problems) if result.problems else "ok"
        lines.append(f"  > {result.user}\n    < {result.reply.replace(chr(10), ' / ')}\n    [{', '.join(result.actions)}] {mark}")
    return "\n".join(lines)
