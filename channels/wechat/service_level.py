"""Reply latency as the WeChat channel measured it, for the operations console's service level.

The tracker store does not hold it, so the channel appends (received at, seconds, passive | late | lost) to a
list in memory — the only work added to a turn — and a timer writes the batch to the console database's
`console_reply_latency` table from a worker thread every `FLUSH_SECONDS`. A failing write is logged and dropped:
measuring never delays or breaks a reply. `BOT_CONSOLE_LATENCY=0` turns the recording off.
"""
from __future__ import annotations

import asyncio
import logging
import os
from typing import Dict, List, Optional

from bot.logs import log_event

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 2.0
PASSIVE, LATE, LOST = "passive", "late", "lost"


class ReplyLatencyRecorder:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self._url = database_url
        self._engine = None     # built (tables checked) on the first write, then reused
        self._pending: List[Dict[str, object]] = []
        self._scheduled = False
        self.enabled = os.environ.get("BOT_CONSOLE_LATENCY", "1") != "0"

    def record(self, received_at: float, seconds: Optional[float], delivery: str) -> None:
        """Remember one answered message; written later, off the turn."""
        if not self.enabled:
            return
        self._pending.append({"received_at": received_at, "seconds": seconds, "delivery": delivery})
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush_soon)

    def _flush_soon(self) -> None:
        self._scheduled = False
        batch, self._pending = self._pending, []
        if batch:
            asyncio.get_running_loop().run_in_executor(None, self._write, batch)

    def _write(self, batch: List[Dict[str, object]]) -> None:
        try:
            from sqlalchemy import insert

            from bot.console.settings import console_database_url
            from bot.console.tables import console_engine, reply_latency

            if self._engine is None:
                self._engine = console_engine(self._url or console_database_url())
            with self._engine.begin() as conn:
                conn.execute(insert(reply_latency), batch)
        except Exception as error:
            log_event(logger, "wechat.latency_not_recorded", logging.WARNING, rows=len(batch), error=type(error).__name__)
