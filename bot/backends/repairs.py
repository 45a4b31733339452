"""The repair-desk interface: fault tickets, visiting slots, photos, urging, cancelling and ratings."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from bot.backends.crm import FaultTicket

URGE_INTERVAL_SECONDS = 3600


@dataclass(frozen=True)
class VisitSlot:
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class TicketResult:
    ticket: FaultTicket
    created: bool          # False: an open ticket for the same line already existed and is returned


@dataclass(frozen=True)
class UrgeResult:
    accepted: bool
    next_allowed: Optional[datetime] = None


class RepairDesk(abc.ABC):
    @abc.abstractmethod
    def visit_slots(self, line_id: int, now: datetime, count: int = 3) -> List[VisitSlot]:
        """The next `count` bookable visiting windows (the first three are offered; a follower may name a later one)."""

    @abc.abstractmethod
    def open_ticket(self, line_id: int, symptom: str, slot: VisitSlot, photo_url: Optional[str], now: datetime) -> TicketResult:
        """At most one open ticket per line: a second report returns the open one (enforced by the database)."""

    @abc.abstractmethod
    def open_ticket_for_line(self, line_id: int) -> Optional[FaultTicket]: ...

    @abc.abstractmethod
    def attach_photo(self, ticket_no: str, photo_url: str) -> None: ...

    @abc.abstractmethod
    def urge(self, ticket_no: str, now: datetime) -> UrgeResult: ...

    @abc.abstractmethod
    def cancel(self, ticket_no: str) -> bool: ...

    @abc.abstractmethod
    def rate(self, ticket_no: str, stars: int, comment: str) -> bool:
        """Store a 1–5 star rating of a completed ticket; False when it is not completed or already rated."""

    @abc.abstractmethod
    def completed_unrated_tickets(self) -> List[FaultTicket]:
        """Completed tickets nobody has rated yet (candidates for a satisfaction survey), oldest first."""

    @abc.abstractmethod
    def subscribe_restore_notice(self, line_id: int, openid: str) -> None: ...

    @abc.abstractmethod
    def restore_notice_requests(self, line_ids: List[int]) -> List[Tuple[int, str]]:
        """(line id, OpenID) of the followers who asked to be told when these lines work again."""

    @abc.abstractmethod
    def clear_restore_notices(self, requests: List[Tuple[int, str]]) -> int:
        """Requests answered by a restore notice are done; returns how many went."""

    @abc.abstractmethod
    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        """Delete the follower's restore-notice requests when they unfollow; returns how many went. With
        `before` (the unfollow time), only requests made before it."""
