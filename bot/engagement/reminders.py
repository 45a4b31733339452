"""Usage and bill reminders for followers who opted in: who is due which reminder now.

Only followers whose latest choice for `usage_reminders` is granted and who are bound to a customer get one.
Each occasion has a stable dedupe key, so the campaign runner sends it once however often this runs:
the month's bill once it is issued ("bill:2026-10"), each data bucket at each threshold once per billing cycle
("data:<cycle end>:<bucket>:80"), low balance once a month ("balance:2026-11").
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Iterator, Optional, Tuple

from actions.common import yuan
from actions.queries import DATA_UNIT, _amount_unit   # the chat's own way of showing amounts (voice and SMS get no reminder)
from bot import clock
from bot.backends import get_billing, get_consent, get_crm
from bot.backends.billing import UsageBucket
from bot.backends.consent import USAGE_REMINDERS
from bot.backends.crm import Customer
from bot.cycles import previous_months
from bot.logs import log_event
from bot.outbound.message import OutboundMessage
from bot.privacy import mask_mobile
from bot.settings import load_section, low_balance_yuan

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class ReminderSettings:
    low_balance: Decimal
    data_thresholds: Tuple[int, ...]   # percent, ascending

    @classmethod
    def load(cls) -> "ReminderSettings":
        """endpoints.yml `reminders:`, with BOT_LOW_BALANCE_YUAN / BOT_DATA_THRESHOLDS overriding it."""
        section = load_section("reminders")
        raw = os.environ.get("BOT_DATA_THRESHOLDS") or section.get("data_thresholds") or [80, 100]
        thresholds = [int(p) for p in (raw.split(",") if isinstance(raw, str) else raw)]
        if not thresholds or any(not 0 < p <= 100 for p in thresholds):
            raise ValueError(f"reminders.data_thresholds must be percentages in (0, 100], not {raw!r}")
        return cls(low_balance_yuan(), tuple(sorted(set(thresholds))))


def china_wall_clock(moment: datetime) -> datetime:
    """`now` as the stored naive China wall-clock (the runner passes an aware time)."""
    return moment.astimezone(clock.zone()).replace(tzinfo=None) if moment.tzinfo else moment


class ReminderSource:
    """An OutboundSource (bot.outbound.message): the reminders due at `now` to consenting, bound followers."""

    def __init__(self, settings: Optional[ReminderSettings] = None) -> None:
        self.settings = settings or ReminderSettings.load()
        self.consent, self.crm, self.billing = get_consent(), get_crm(), get_billing()

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]:
        local = china_wall_clock(now)
        for openid in self.consent.followers_with(USAGE_REMINDERS):
            customer = self.crm.customer_for_openid(openid)
            if customer is None:   # consent outlives an unbinding; no account, nothing to remind of
                continue
            try:
                yield from self._for_customer(openid, customer, local)
            except Exception as error:  # one customer's billing data failing must not stop the others' reminders
                log_event(logger, "reminders.customer_failed", logging.WARNING, openid=openid, error=type(error).__name__)

    def _for_customer(self, openid: str, customer: Customer, now: datetime) -> Iterator[OutboundMessage]:
        masked = mask_mobile(customer.mobile)
        yield from self._bill(openid, customer, masked, now)
        for bucket in self.billing.usage(customer.customer_id):
            if bucket.unit == DATA_UNIT:
                yield from self._data(openid, bucket, masked)
        yield from self._balance(openid, customer, masked, now)

    def _bill(self, openid: str, customer: Customer, masked: str, now: datetime) -> Iterator[OutboundMessage]:
        """The bill of the month that ended is issued at the start of this one; it is due once it exists."""
        month = previous_months(now.date(), 1)[0]
        bill = self.billing.bill(customer.customer_id, month)
        if bill is None:
            return
        year, number = month.split("-")
        total = yuan(bill.total)
        yield OutboundMessage(
            openid=openid, response="utter_reminder_bill", kind="bill_reminder", dedupe_key=f"bill:{month}",
            values={"masked_mobile": masked, "year": year, "month": str(int(number)), "total": total},
            template="bill_reminder", template_fields={"phone": masked, "month": month, "amount": total},
            template_consented=True,
        )

    def _data(self, openid: str, bucket: UsageBucket, masked: str) -> Iterator[OutboundMessage]:
        """Only the highest threshold reached: a follower first seen at 100 % gets the 100 % message only."""
        percent = int(bucket.used_ratio * 100)
        reached = [t for t in self.settings.data_thresholds if percent >= t]
        if not reached:
            return
        threshold = reached[-1]
        response = "utter_reminder_data_used_up" if threshold >= 100 else "utter_reminder_data"
        cycle = bucket.resets_on.isoformat()   # one billing cycle: the reminders of the next one are new occasions
        yield OutboundMessage(
            openid=openid, response=response, kind="usage_reminder", dedupe_key=f"data:{cycle}:{bucket.name}:{threshold}",
            values={"masked_mobile": masked, "bucket": bucket.name, "percent": str(min(percent, 100)),
                    "remaining": _amount_unit(bucket.remaining, bucket.unit), "resets_on": cycle},
            template="usage_reminder",
            template_fields={"phone": masked, "bucket": bucket.name, "percent": f"{min(percent, 100)}%",
                             "remaining": _amount_unit(bucket.remaining, bucket.unit)},
            template_consented=True,
        )

    def _balance(self, openid: str, customer: Customer, masked: str, now: datetime) -> Iterator[OutboundMessage]:
        balance = self.billing.balance(customer.customer_id)
        if balance is None or balance.amount >= self.settings.low_balance:
            return
        amount, threshold = yuan(balance.amount), yuan(self.settings.low_balance)
        yield OutboundMessage(
            openid=openid, response="utter_reminder_balance", kind="balance_reminder", dedupe_key=f"balance:{now:%Y-%m}",
            values={"masked_mobile": masked, "amount": amount, "threshold": threshold},
            template="balance_reminder", template_fields={"phone": masked, "amount": amount},
            template_consented=True,
        )
