"""Deterministic line diagnostics for the demo: each line's finding is stored with the line, and an outage an
operator announced for the line's area (bot.backends.outages) overrides it with the announced restore time."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Optional

from bot import clock
from bot.backends.crm import BroadbandLine
from bot.backends.diagnostics import AREA_OUTAGE, REMOTELY_FIXABLE, Diagnosis, LineDiagnostics

OUTAGE_REPAIR_HOURS = 3


class StubLineDiagnostics(LineDiagnostics):
    def __init__(self, database_url: str = "", now: Optional[Callable[[], datetime]] = None) -> None:
        self._now = now or (lambda: clock.now())  # restore times are told to followers in China time
        self._outages = None
        if database_url:   # outages an operator announced (python -m bot notify outage announce)
            from bot.backends.sql.outages import SqlOutageBoard

            self._outages = SqlOutageBoard(database_url)

    def diagnose(self, line: BroadbandLine) -> Diagnosis:
        if self._outages is not None:
            announced = self._outages.active_for_line(line)
            if announced is not None:
                return Diagnosis(AREA_OUTAGE, announced.expected_restore_at)
        if line.diagnosis == AREA_OUTAGE:
            restore = (self._now() + timedelta(hours=OUTAGE_REPAIR_HOURS)).replace(minute=0, second=0, microsecond=0)
            return Diagnosis(AREA_OUTAGE, restore)
        return Diagnosis(line.diagnosis)

    def remote_fix(self, line: BroadbandLine, finding: str) -> bool:
        return finding in REMOTELY_FIXABLE
