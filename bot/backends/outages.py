"""The outage board: outages an operator announces for an area and later marks restored.

The line diagnosis reads it (a line in an announced area gets the outage answer and no ticket), and the
outbound notices read it (who is affected, who asked to be told when it is over).
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from bot.backends.crm import BroadbandLine


class UnknownArea(ValueError):
    """No broadband line lies in the area named (a typo would otherwise announce an outage to nobody)."""


class UnknownOutage(LookupError):
    """No outage has this id."""


@dataclass(frozen=True)
class Outage:
    outage_id: int
    area: str
    cause: str
    expected_restore_at: datetime   # China wall-clock
    announced_at: datetime
    restored_at: Optional[datetime] = None

    @property
    def is_active(self) -> bool:
        return self.restored_at is None


class OutageBoard(abc.ABC):
    @abc.abstractmethod
    def announce(self, area: str, expected_restore_at: datetime, cause: str, now: datetime) -> Outage:
        """Record an outage (or update the active one of the same area: new time and cause, same id)."""

    @abc.abstractmethod
    def restore(self, outage_id: int, now: datetime) -> Outage:
        """Mark it over; restoring twice keeps the first time. Raises UnknownOutage."""

    @abc.abstractmethod
    def get(self, outage_id: int) -> Outage:
        """Raises UnknownOutage."""

    @abc.abstractmethod
    def active(self) -> List[Outage]: ...

    @abc.abstractmethod
    def restored(self) -> List[Outage]: ...

    @abc.abstractmethod
    def active_for_line(self, line: BroadbandLine) -> Optional[Outage]:
        """The active announced outage covering this line, if any."""

    @abc.abstractmethod
    def lines_in(self, area: str) -> List[BroadbandLine]:
        """The broadband lines of an area: its district, or lines whose address starts with it."""
