"""A campaign run: every due message claimed, sent at a bounded rate and recorded, with a progress bar and a
summary for the operator. Claim-before-send (bot.backends.deliveries) is what makes a re-run after a crash, or
the same campaign on a second instance, send nothing twice; a dry run claims and sends nothing."""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, List, Optional, TextIO

from bot import clock
from bot.backends.deliveries import FAILED, SENT, SKIPPED, DeliveryLog
from bot.logs import log_event
from bot.outbound.delivery import Deliverer, Outcome
from bot.outbound.message import OutboundMessage

logger = logging.getLogger(__name__)
BAR_WIDTH = 30


@dataclass
class CampaignSummary:
    campaign: str
    due: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0          # claimed by an earlier run or by another runner: not ours to send
    reasons: Counter = field(default_factory=Counter)
    stopped: Optional[str] = None
    dry_run: bool = False

    def lines(self) -> List[str]:
        head = "dry run (nothing sent or claimed)" if self.dry_run else "campaign"
        lines = [f"{head} {self.campaign}: {self.due} due, {self.sent} sent, {self.skipped} skipped, {self.failed} failed, "
                 f"{self.already} already handled"]
        lines += [f"  {reason}: {count}" for reason, count in sorted(self.reasons.items())]
        if self.stopped:
            lines.append(f"  STOPPED: {self.stopped}; run the same command again later to send the rest")
        return lines


class RateLimiter:
    """At most `per_second` sends a second (WeChat's API limits; the account's quota is shared with the bot)."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / per_second
        self._sleep, self._monotonic = sleep, monotonic
        self._next = 0.0

    def wait(self) -> None:
        now = self._monotonic()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval


class CampaignRunner:
    def __init__(self, deliverer: Deliverer, log: DeliveryLog, limiter: RateLimiter,
                 now: Callable[[], datetime] = clock.now, progress: Optional[TextIO] = None, out: Optional[TextIO] = None) -> None:
        self._deliverer, self._log, self._limiter = deliverer, log, limiter
        self._now = now
        self._progress = progress
        self._out = out

    def run(self, campaign: str, messages: Iterable[OutboundMessage], dry_run: bool = False,
            on_sent: Optional[Callable[[OutboundMessage, datetime], None]] = None) -> CampaignSummary:
        """`on_sent(message, at)` is told of each message WeChat accepted, as it happens (never in a dry run): a
        source's own record of what the follower was really sent (a survey's question counts from then)."""
        due = list(messages)
        summary = CampaignSummary(campaign, due=len(due), dry_run=dry_run)
        handled = {(r.openid, r.dedupe_key) for r in self._log.deliveries(campaign)} if dry_run else set()
        for done, message in enumerate(due, start=1):
            if dry_run and (message.openid, message.dedupe_key) in handled:
                summary.already += 1
            elif dry_run:
                self._show_plan(campaign, message, summary)
            else:
                outcome = self._one(campaign, message, summary)
                if outcome is not None and outcome.status == SENT and on_sent is not None:
                    self._tell(on_sent, campaign, message)
                if outcome is not None and outcome.stop_run:
                    summary.stopped = f"WeChat answered {outcome.errcode} ({outcome.reason})"
                    self._bar(done, summary)
                    break
            self._bar(done, summary)
        if self._progress is not None and due:
            self._progress.write("\n")
        log_event(logger, "outbound.campaign_run", campaign=campaign, due=summary.due, sent=summary.sent, skipped=summary.skipped,
                  failed=summary.failed, already=summary.already, stopped=summary.stopped or "-", dry_run=dry_run)
        return summary

    def _one(self, campaign: str, message: OutboundMessage, summary: CampaignSummary) -> Optional[Outcome]:
        now = self._now()
        if not self._log.claim(campaign, message.openid, message.dedupe_key, message.kind, now):
            summary.already += 1
            return None
        earlier = self._log.sent_elsewhere(message.openid, message.dedupe_key, campaign)
        if earlier is not None:
            outcome = Outcome(SKIPPED, reason=f"sent_in_campaign {earlier}"[:64])
        else:
            self._limiter.wait()
            try:
                outcome = self._deliverer.deliver(message, campaign, now)
            except Exception as error:  # a bug or a back end down: recorded, the run goes on
                log_event(logger, "outbound.delivery_error", logging.ERROR, campaign=campaign, error=type(error).__name__)
                outcome = Outcome(FAILED, reason=f"error {type(error).__name__}"[:64])
        self._log.settle(campaign, message.openid, message.dedupe_key, outcome.status, self._now(), route=outcome.route,
                         reason=outcome.reason, errcode=outcome.errcode, msgid=outcome.msgid)
        self._count(outcome, summary)
        return outcome

    def _tell(self, on_sent: Callable[[OutboundMessage, datetime], None], campaign: str, message: OutboundMessage) -> None:
        try:
            on_sent(message, self._now())
        except Exception as error:  # the message is out and recorded as sent: the run goes on
            log_event(logger, "outbound.on_sent_error", logging.ERROR, campaign=campaign, kind=message.kind,
                      error=type(error).__name__)

    def _count(self, outcome: Outcome, summary: CampaignSummary) -> None:
        if outcome.status == SENT:
            summary.sent += 1
            summary.reasons[f"sent by {outcome.route}"] += 1
        elif outcome.status == SKIPPED:
            summary.skipped += 1
            summary.reasons[f"skipped: {outcome.reason}"] += 1
        else:
            summary.failed += 1
            summary.reasons[f"failed: {outcome.reason}" + (f" ({outcome.errcode})" if outcome.errcode else "")] += 1

    def _show_plan(self, campaign: str, message: OutboundMessage, summary: CampaignSummary) -> None:
        plan = self._deliverer.plan(message, campaign, self._now())
        if plan.route is None:
            self._count(plan.outcome, summary)  # type: ignore[arg-type]
            what = f"{plan.outcome.status}: {plan.outcome.reason}"  # type: ignore[union-attr]
        else:
            summary.sent += 1
            summary.reasons[f"would send by {plan.route}"] += 1
            what = (f"customer-service text: {plan.text}" if plan.text else
                    f"template {plan.body['template_id']}: " + " | ".join(f"{k}={v['value']}" for k, v in plan.body["data"].items()))  # type: ignore[index]
        if self._out is not None:
            self._out.write(f"{message.openid}  {message.kind}  {what}\n")

    def _bar(self, done: int, summary: CampaignSummary) -> None:
        if self._progress is None or not summary.due:
            return
        filled = BAR_WIDTH * done // summary.due
        self._progress.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{summary.due}  sent {summary.sent}  "
                             f"skipped {summary.skipped}  failed {summary.failed}  already {summary.already}")
        self._progress.flush()
