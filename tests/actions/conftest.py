"""Run rasa-sdk actions the way the action server does: a Tracker, a CollectingDispatcher, real SQLite."""
from __future__ import annotations

import asyncio
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.backends import get_crm


def make_tracker(sender: Optional[str] = None, text: str = "", intent: str = "", entities: Optional[List[Dict]] = None,
                 slots: Optional[Dict[str, Any]] = None, events: Optional[List[Dict]] = None,
                 channel: str = "rest", ranking: Optional[List[Dict]] = None,
                 response_selector: Optional[Dict] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
              "intent_ranking": ranking or [], "response_selector": response_selector or {}}
    history = list(events or []) + [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker(sender or f"o-{uuid.uuid4().hex[:10]}", slots or {}, latest, history, False, None, {}, "action_listen")


DOMAIN_DIR = Path(__file__).resolve().parents[2] / "domain"


@lru_cache(maxsize=None)
def domain_responses() -> Dict[str, List[Dict[str, Any]]]:
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("**/*.yml")):
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return responses


def the_domain() -> Dict[str, Any]:
    """What Rasa sends the action server with every call, as far as actions read it: the responses."""
    return {"responses": domain_responses()}


def render(message: Dict[str, Any]) -> str:
    """The text Rasa would send for a message an action dispatched (a domain response filled with its values)."""
    if not message.get("response"):
        return message.get("text") or ""
    from rasa.core.nlg.interpolator import interpolate_text

    variants = [v for v in domain_responses()[message["response"]] if not v.get("channel")]
    values = {k: v for k, v in message.items() if k not in {"response", "template", "text", "buttons", "elements", "custom",
                                                             "image", "attachment"}}
    return interpolate_text(variants[0].get("text") or "", values)


class Run:
    def __init__(self, events: List[Dict[str, Any]], dispatcher: CollectingDispatcher) -> None:
        self.events = events
        self.messages = dispatcher.messages

    @property
    def responses(self) -> List[str]:
        """The domain responses the action sent, in order (`text` for a message without one)."""
        return [m.get("response") or "text" for m in self.messages]

    def values(self, response: str) -> Dict[str, Any]:
        """The values the action filled into the first `response` it sent."""
        return next(m for m in self.messages if m.get("response") == response)

    @property
    def texts(self) -> List[str]:
        return [t for t in (render(m) for m in self.messages) if t]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def slot(self, name: str) -> Any:
        values = [e["value"] for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        return values[-1] if values else None


def run(action: Action, tracker: Tracker, domain: Optional[Dict] = None) -> Run:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or the_domain()))
    return Run(events, dispatcher)


def validate(form_action: Any, slot: str, value: Any, tracker: Tracker) -> Run:
    dispatcher = CollectingDispatcher()
    method = getattr(form_action, f"validate_{slot}")
    result = asyncio.run(method(value, dispatcher, tracker, the_domain()))
    return Run([{"event": "slot", "name": k, "value": v} for k, v in result.items()], dispatcher)


def bind(openid: str, mobile: str) -> None:
    crm = get_crm()
    crm.bind_openid(openid, crm.customer_by_mobile(mobile).customer_id)


def sms_inbox() -> List[Dict[str, Any]]:
    """Every SMS sent in this test (the development gateway's inbox)."""
    import os

    inbox = Path(os.environ["BOT_SMS_INBOX"])
    if not inbox.exists():
        return []
    return [json.loads(line) for line in inbox.read_text(encoding="utf-8").splitlines() if line.strip()]


def last_sms_code(mobile: str) -> str:
    import re

    text = [item for item in sms_inbox() if item["mobile"] == mobile][-1]["text"]
    return re.search(r"\d{6}", text).group(0)


@pytest.fixture(autouse=True)
def _backends(configured_backends: str) -> str:
    return configured_backends


@pytest.fixture(autouse=True)
def _clock_at_seeding_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo data is seeded relative to FIXED_NOW; the actions must see the same moment, whatever the date."""
    from bot import clock
    from tests.conftest import FIXED_NOW

    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
