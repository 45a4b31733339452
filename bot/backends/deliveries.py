"""The delivery log of outbound campaigns: one record per campaign, follower and occasion.

Claiming the record (a unique key in the database) comes before sending, so a re-run after a crash or a second
instance running the same campaign sends nothing twice. A claim never settled (the process died mid-send) stays
"claimed" and is never sent again automatically: better one notice missing than two. Failures WeChat may lift
later (daily quota, token or network trouble before the request left) are released for a re-run.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

CLAIMED, SENT, SKIPPED, FAILED = "claimed", "sent", "skipped", "failed"
CUSTOMER_SERVICE, TEMPLATE = "customer_service", "template"

# Reasons a failed delivery may be claimed again by a later run of the same campaign.
RETRYABLE_REASONS = ("daily_quota", "token_error", "unreachable", "system_busy")


@dataclass(frozen=True)
class DeliveryRecord:
    campaign: str
    openid: str
    dedupe_key: str
    kind: str
    status: str
    route: Optional[str]
    reason: Optional[str]
    errcode: Optional[int]
    msgid: Optional[str]
    template_status: Optional[str]
    claimed_at: datetime
    finished_at: Optional[datetime]


class DeliveryLog(abc.ABC):
    @abc.abstractmethod
    def claim(self, campaign: str, openid: str, dedupe_key: str, kind: str, now: datetime) -> bool:
        """True: this runner owns the delivery and may send. False: already claimed, done, or finally failed."""

    @abc.abstractmethod
    def settle(self, campaign: str, openid: str, dedupe_key: str, status: str, now: datetime, route: Optional[str] = None,
               reason: Optional[str] = None, errcode: Optional[int] = None, msgid: Optional[str] = None) -> None: ...

    @abc.abstractmethod
    def sent_elsewhere(self, openid: str, dedupe_key: str, campaign: str) -> Optional[str]:
        """The other campaign that already sent this occasion to this follower, if any."""

    @abc.abstractmethod
    def record_template_result(self, msgid: str, status: str) -> bool:
        """WeChat's TEMPLATESENDJOBFINISH for a template send; False when no delivery has that msgid."""

    @abc.abstractmethod
    def deliveries(self, campaign: str) -> List[DeliveryRecord]: ...

    @abc.abstractmethod
    def forget_follower(self, openid: str) -> int:
        """Unsubscribe: delete the follower's delivery records."""
