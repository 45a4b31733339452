"""What the account wants to send first, independent of how WeChat lets it be delivered.

Sources (outage and restore notices, usage and bill reminders, satisfaction surveys) only decide *who* gets
*what*; the campaign runner decides *how* (customer-service message inside the 48-hour window, template message
outside it for followers who consented, or skipped with a reason) and makes re-runs send nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Optional, Protocol


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one follower. Wording lives in the domain response named by `response`."""

    openid: str
    response: str
    """Domain response (domain/*.yml) rendered with `values` for a customer-service message."""
    kind: str
    """What occasion it is: restore_notice, outage_notice, bill_reminder, usage_reminder, balance_reminder, survey."""
    dedupe_key: str
    """Stable for one follower and one occasion (e.g. "outage:42"); with the follower it makes client_msg_id."""
    values: Mapping[str, str] = field(default_factory=dict)
    template: Optional[str] = None
    """Name of a template in configuration, used outside the 48-hour window; None: never sent as a template."""
    template_fields: Mapping[str, str] = field(default_factory=dict)
    template_consented: bool = False
    """The follower consented to this kind of message (templates are only sent to followers who did)."""


class OutboundSource(Protocol):
    """Something that knows which followers are due which message at `now` (China time aware datetimes)."""

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]: ...
