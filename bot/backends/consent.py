"""Followers' consent to messages the account sends first, recorded with its time.

Topics: "usage_reminders" (bill issued, data bucket at 80 %/100 %, low balance) is opt-in; "outage_notices"
is sent to affected bound followers unless they opted out. Implementations live in bot/backends/sql/.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

USAGE_REMINDERS = "usage_reminders"
OUTAGE_NOTICES = "outage_notices"


@dataclass(frozen=True)
class Consent:
    topic: str
    granted: bool
    at: datetime


class ConsentRegistry(abc.ABC):
    """Who agreed to (or refused) which kind of outbound message, and when."""

    @abc.abstractmethod
    def record(self, openid: str, topic: str, granted: bool, at: datetime) -> None:
        """Store the follower's latest choice for `topic` with its time (opt-in or opt-out)."""

    @abc.abstractmethod
    def latest(self, openid: str, topic: str) -> Optional[Consent]:
        """The follower's latest choice for `topic`, or None if never asked."""

    @abc.abstractmethod
    def followers_with(self, topic: str) -> List[str]:
        """OpenIDs whose latest choice for `topic` is granted."""

    @abc.abstractmethod
    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        """Unsubscribe: delete the follower's records (with `before`, the unfollow time: only those recorded
        before it); returns how many rows went."""
