"""How one OutboundMessage reaches its follower inside WeChat's rules, and what became of it.

Inside the customer-service window: the domain response as a customer-service text. Outside it (or when WeChat
answers that the window or its quota is gone): the configured template, only for a follower who consented, and
only if it keeps WeChat's 2023 template rules. Every WeChat answer maps to one recorded outcome.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Mapping, Optional

from bot.backends.deliveries import CUSTOMER_SERVICE, FAILED, SENT, SKIPPED, TEMPLATE
from bot.backends.interactions import InteractionLog
from bot.logs import log_event
from bot.outbound.config import TemplateSpec
from bot.outbound.message import OutboundMessage
from bot.outbound.template_rules import violations
from bot.outbound.wechat_api import IN_DOUBT, NO_SERVICE, UNREACHABLE, ApiAnswer, OutboundApi, client_msg_id
from bot.outbound.window import open_window
from bot.outbound.wording import render

logger = logging.getLogger(__name__)

WINDOW_CLOSED, CS_QUOTA = 45015, 45047
# WeChat's answer → (reason recorded, stop the whole run: later sends would fail alike).
ANSWERS: Dict[int, tuple] = {
    43004: ("not_following", False),
    43101: ("refused", False),
    40037: ("bad_template_id", False),
    47003: ("bad_data", False),
    45009: ("daily_quota", True),
    WINDOW_CLOSED: ("window_closed", False),
    CS_QUOTA: ("cs_quota", False),
    40001: ("token_error", True),
    40014: ("token_error", True),
    42001: ("token_error", True),
    -1: ("system_busy", False),
    UNREACHABLE: ("unreachable", True),
    NO_SERVICE: ("unreachable", True),
    IN_DOUBT: ("in_doubt", False),
}


@dataclass(frozen=True)
class Outcome:
    status: str                   # sent, skipped, failed
    route: Optional[str] = None   # customer_service, template
    reason: Optional[str] = None
    errcode: Optional[int] = None
    msgid: Optional[str] = None
    stop_run: bool = False


@dataclass(frozen=True)
class Plan:
    """What would be sent: a customer-service `text`, a template `body`, or nothing (`outcome` says why)."""

    route: Optional[str]
    text: str = ""
    body: Optional[Dict[str, Any]] = None
    window: Optional[str] = None
    outcome: Optional[Outcome] = None


class Deliverer:
    def __init__(self, api: OutboundApi, interactions: InteractionLog, templates: Mapping[str, TemplateSpec]) -> None:
        self._api = api
        self._interactions = interactions
        self._templates = templates

    # -- deciding ------------------------------------------------------------------------------------
    def plan(self, message: OutboundMessage, campaign: str, now: datetime) -> Plan:
        window = open_window(self._interactions.latest(message.openid), now)
        if window is not None:
            return Plan(CUSTOMER_SERVICE, text=render(message.response, message.values), window=window)
        return self.template_plan(message, campaign, reason_without="no_window_no_template")

    def template_plan(self, message: OutboundMessage, campaign: str, reason_without: str) -> Plan:
        if message.template is None:
            return Plan(None, outcome=Outcome(SKIPPED, reason=reason_without))
        if not message.template_consented:
            return Plan(None, outcome=Outcome(SKIPPED, reason="no_template_consent"))
        spec = self._templates.get(message.template)
        if spec is None:
            return Plan(None, outcome=Outcome(FAILED, TEMPLATE, reason="template_not_configured"))
        fields = {**message.values, **message.template_fields}
        body: Dict[str, Any] = {
            "touser": message.openid, "template_id": spec.template_id,
            "client_msg_id": client_msg_id(campaign, message.openid, message.dedupe_key),
            "data": {keyword: {"value": str(fields.get(name, ""))} for keyword, name in spec.fields.items()},
        }
        if spec.url:
            body["url"] = spec.url
        problems = violations(body)
        if problems:
            log_event(logger, "outbound.template_rules_broken", logging.WARNING, template=spec.name, kind=message.kind,
                      problems="; ".join(problems))
            return Plan(None, outcome=Outcome(FAILED, TEMPLATE, reason=f"template_rules: {'; '.join(problems)}"[:64]))
        return Plan(TEMPLATE, body=body)

    # -- sending -------------------------------------------------------------------------------------
    def deliver(self, message: OutboundMessage, campaign: str, now: datetime) -> Outcome:
        plan = self.plan(message, campaign, now)
        if plan.route == CUSTOMER_SERVICE:
            answer = self._api.send_text(message.openid, plan.text)
            if answer.errcode == 0:
                self._interactions.count_send(message.openid, plan.window)  # type: ignore[arg-type]
                return Outcome(SENT, CUSTOMER_SERVICE)
            if answer.errcode not in (WINDOW_CLOSED, CS_QUOTA):
                return self._failed(CUSTOMER_SERVICE, answer)
            # WeChat knows the window better than our record (another sender used the quota): try a template.
            fallback = self.template_plan(message, campaign, reason_without=ANSWERS[answer.errcode][0])
            if fallback.route is None:
                outcome = fallback.outcome
                return Outcome(outcome.status, CUSTOMER_SERVICE, outcome.reason, answer.errcode)  # type: ignore[union-attr]
            plan = fallback
        if plan.route == TEMPLATE:
            answer = self._api.send_template(plan.body)  # type: ignore[arg-type]
            if answer.errcode == 0:
                return Outcome(SENT, TEMPLATE, msgid=answer.msgid)
            return self._failed(TEMPLATE, answer)
        return plan.outcome  # type: ignore[return-value]

    def _failed(self, route: str, answer: ApiAnswer) -> Outcome:
        reason, stop = ANSWERS.get(answer.errcode, ("wechat_error", False))
        log_event(logger, "outbound.send_failed", logging.WARNING, route=route, errcode=answer.errcode, reason=reason)
        return Outcome(FAILED, route, reason, answer.errcode, stop_run=stop)
