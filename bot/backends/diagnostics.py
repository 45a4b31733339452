"""The line-diagnostics interface: test a broadband line remotely and repair what can be repaired remotely."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from bot.backends.crm import BroadbandLine

# Findings.
PORT_DOWN = "port_down"
LOW_OPTICAL_POWER = "low_optical_power"
AUTH_FAILURE = "auth_failure"
ARREARS = "arrears"
AREA_OUTAGE = "area_outage"
NO_FAULT = "no_fault"
REMOTELY_FIXABLE = {PORT_DOWN, AUTH_FAILURE}


@dataclass(frozen=True)
class Diagnosis:
    finding: str
    restore_at: Optional[datetime] = None   # area outages: when service is expected back


class LineDiagnostics(abc.ABC):
    @abc.abstractmethod
    def diagnose(self, line: BroadbandLine) -> Diagnosis: ...

    @abc.abstractmethod
    def remote_fix(self, line: BroadbandLine, finding: str) -> bool:
        """Reset the port or re-authenticate; True when the command succeeded."""
