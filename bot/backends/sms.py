"""The SMS-gateway interface, and the development stub that keeps messages in a simulated inbox.

The stub never writes a verification code to a log: codes appear only in the development inbox
(`python -m bot sms-inbox`), which exists only while `BOT_ENV` is not "production".
"""
from __future__ import annotations

import abc
import json
import os
import threading
from pathlib import Path
from typing import List, Optional

from bot import clock
from bot.settings import PROJECT_ROOT



class SmsGateway(abc.ABC):
    @abc.abstractmethod
    def send(self, mobile: str, text: str) -> None:
        """Send one SMS; raises on failure."""


class ProductionModeError(RuntimeError):
    """The development SMS stub refuses to run in production, where real codes must reach real phones."""


class DevInboxSmsGateway(SmsGateway):
    """Appends each SMS to a JSON-lines inbox file under var/ (the development run's simulated phone)."""

    def __init__(self, inbox: Optional[Path] = None) -> None:
        if os.environ.get("BOT_ENV", "development") == "production":
            raise ProductionModeError("the development SMS inbox must not be used in production; configure a real gateway")
        self._inbox = inbox or Path(os.environ.get("BOT_SMS_INBOX") or PROJECT_ROOT / "var" / "sms_inbox.jsonl")
        self._lock = threading.Lock()

    def send(self, mobile: str, text: str) -> None:
        self._inbox.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": clock.now().isoformat(timespec="seconds"), "mobile": mobile, "text": text}, ensure_ascii=False)
        with self._lock, self._inbox.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def messages(self, mobile: str = "") -> List[dict]:
        if not self._inbox.exists():
            return []
        with self._inbox.open(encoding="utf-8") as handle:
            items = [json.loads(line) for line in handle if line.strip()]
        return [item for item in items if not mobile or item["mobile"] == mobile]
