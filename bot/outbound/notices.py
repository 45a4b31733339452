"""The outage sources: who is told that an outage started in their area, and who is told it is over.

Outage notices go to every follower bound to a customer with a line in the area, unless they opted out of
"outage_notices"; restore notices go exactly to the followers who asked 「恢复后通知我」 for a line in a restored
area. Both are service notices about the follower's own line, so a template may carry them outside the
customer-service window (template_consented).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Set, Tuple

from bot.backends.consent import OUTAGE_NOTICES, ConsentRegistry
from bot.backends.crm import CrmBackend
from bot.backends.deliveries import CLAIMED, RETRYABLE_REASONS, DeliveryRecord
from bot.backends.outages import Outage, OutageBoard
from bot.backends.repairs import RepairDesk
from bot.outbound.message import OutboundMessage

TEMPLATE_TIME = "%Y-%m-%d %H:%M"


def _moment_values(prefix: str, moment: datetime) -> dict:
    return {f"{prefix}_month": str(moment.month), f"{prefix}_day": str(moment.day), f"{prefix}_time": f"{moment:%H:%M}"}


def outage_key(outage: Outage) -> str:
    """One notice per outage and announced restore time: a later time announced is a new notice."""
    return f"outage:{outage.outage_id}:{outage.expected_restore_at:%Y%m%d%H%M}"


class OutageNoticeSource:
    """`outage_id`: that outage only (default: every active one); `preview`: an outage not recorded (dry run)."""

    def __init__(self, outage_id: Optional[int] = None, crm: Optional[CrmBackend] = None,
                 outages: Optional[OutageBoard] = None, consent: Optional[ConsentRegistry] = None,
                 preview: Optional[Outage] = None) -> None:
        from bot import backends

        self._outage_id = outage_id
        self._preview = preview
        self._crm = crm or backends.get_crm()
        self._outages = outages or backends.get_outages()
        self._consent = consent or backends.get_consent()

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]:
        if self._preview is not None:
            chosen = [self._preview]
        else:
            chosen = [self._outages.get(self._outage_id)] if self._outage_id is not None else self._outages.active()
        for outage in chosen:
            if not outage.is_active:
                continue
            told: Set[str] = set()
            for line in self._outages.lines_in(outage.area):
                for openid in self._crm.followers_of(line.customer_id):
                    if openid in told or self._opted_out(openid):
                        continue
                    told.add(openid)
                    yield self._message(openid, outage)

    def _opted_out(self, openid: str) -> bool:
        choice = self._consent.latest(openid, OUTAGE_NOTICES)
        return choice is not None and not choice.granted

    def _message(self, openid: str, outage: Outage) -> OutboundMessage:
        return OutboundMessage(
            openid=openid, response="utter_outbound_outage_notice", kind="outage_notice", dedupe_key=outage_key(outage),
            values={"area": outage.area, "cause": outage.cause, **_moment_values("restore", outage.expected_restore_at)},
            template="outage_notice", template_consented=True,
            template_fields={"area": outage.area, "cause": outage.cause, "until": f"{outage.expected_restore_at:{TEMPLATE_TIME}}"},
        )


class RestoreNoticeSource:
    """`outage_id`: that outage only (default: every restored one); `preview`: that outage as if restored (dry run)."""

    def __init__(self, outage_id: Optional[int] = None, outages: Optional[OutageBoard] = None,
                 repairs: Optional[RepairDesk] = None, preview: Optional[Outage] = None) -> None:
        from bot import backends

        self._outage_id = outage_id
        self._preview = preview
        self._outages = outages or backends.get_outages()
        self._repairs = repairs or backends.get_repairs()
        self.requests: List[Tuple[int, str]] = []

    def _restored(self) -> Sequence[Outage]:
        if self._preview is not None:
            return [self._preview]
        if self._outage_id is not None:
            return [self._outages.get(self._outage_id)]
        return self._outages.restored()

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]:
        for outage in self._restored():
            if outage.is_active:
                continue
            # A line inside another announced outage is not working yet, whatever ended before.
            lines = [line for line in self._outages.lines_in(outage.area)
                     if (self._outages.active_for_line(line) or outage).outage_id == outage.outage_id]
            told: Set[str] = set()
            for line_id, openid in self._repairs.restore_notice_requests([line.line_id for line in lines]):
                self.requests.append((line_id, openid))
                if openid not in told:
                    told.add(openid)
                    yield self._message(openid, outage)

    def _message(self, openid: str, outage: Outage) -> OutboundMessage:
        restored = outage.restored_at or outage.expected_restore_at
        return OutboundMessage(
            openid=openid, response="utter_outbound_restore_notice", kind="restore_notice",
            dedupe_key=f"restore:{outage.outage_id}", values={"area": outage.area, **_moment_values("restored", restored)},
            template="restore_notice", template_consented=True,
            template_fields={"area": outage.area, "restored_at": f"{restored:{TEMPLATE_TIME}}"},
        )

    def after_campaign(self, records: List[DeliveryRecord]) -> int:
        """Requests answered for good (sent, or failed for a reason a re-run would not change) are done."""
        final = {r.openid for r in records if r.status != CLAIMED and r.reason not in RETRYABLE_REASONS}
        return self._repairs.clear_restore_notices([(line, openid) for line, openid in self.requests if openid in final])
