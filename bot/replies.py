"""Replies composed by custom actions, from data/replies.yml (edited by conversation designers).

Each entry has a `text` with {placeholders} and optionally `buttons`; `reply()` returns keyword arguments
for rasa-sdk's `dispatcher.utter_message`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

from bot.settings import PROJECT_ROOT

REPLIES_FILE = PROJECT_ROOT / "data" / "replies.yml"


class UnknownReply(KeyError):
    """A custom action asked for a reply that data/replies.yml does not define."""


@lru_cache(maxsize=None)
def load_replies(path: Path = REPLIES_FILE) -> Dict[str, Dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["replies"]


def reply(reply_name: str, /, **values: Any) -> Dict[str, Any]:
    """`{"text": ..., "buttons": [...]}` for `dispatcher.utter_message(**reply(...))`."""
    try:
        entry = load_replies()[reply_name]
    except KeyError:
        raise UnknownReply(reply_name) from None
    message: Dict[str, Any] = {"text": entry["text"].format(**values)}
    if entry.get("buttons"):
        message["buttons"] = [dict(button) for button in entry["buttons"]]
    return message
