"""Satisfaction surveys the account sends first: after a repair ticket is completed by the back end.

Each completed, unrated ticket gets one survey, to the follower most recently bound to its customer. The survey
is recorded as asked when WeChat accepted it (`on_sent`, told by the campaign runner), not when it is first due:
a dry run or a run that skipped it (no customer-service window: surveys are never templates) asks nothing, so the
question is current from the moment the follower really got it and the response rate counts only surveys sent.
Until then it stays due with the same dedupe key (the delivery log sends it once). When the answer comes,
actions/surveys.py reads it against this record: the question is current while the bot has said nothing to the
follower since it was asked (at most 48 hours).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Iterable, Iterator

from bot.backends import get_crm, get_repairs, get_surveys
from bot.backends.surveys import REPAIR
from bot.engagement.reminders import china_wall_clock
from bot.logs import log_event
from bot.outbound.message import OutboundMessage

logger = logging.getLogger(__name__)
KIND = "survey"


def repair_survey(openid: str, ticket_no: str) -> OutboundMessage:
    return OutboundMessage(openid=openid, response="utter_survey_question_repair", kind=KIND,
                           dedupe_key=f"survey:{REPAIR}:{ticket_no}", values={"ticket_no": ticket_no})


class SurveySource:
    """An OutboundSource (bot.outbound.message): the repair surveys due at `now`. Never sent as a template
    (no consent to marketing-like messages is implied), so only inside WeChat's 48-hour window."""

    def __init__(self) -> None:
        self.crm, self.repairs, self.surveys = get_crm(), get_repairs(), get_surveys()

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]:
        return list(self._due())

    def _due(self) -> Iterator[OutboundMessage]:
        for ticket in self.repairs.completed_unrated_tickets():
            if self.surveys.was_asked(REPAIR, ticket.ticket_no):
                continue
            line = self.crm.broadband_line(ticket.line_id)
            followers = self.crm.followers_of(line.customer_id) if line else []
            if followers:
                yield repair_survey(followers[0], ticket.ticket_no)

    def on_sent(self, message: OutboundMessage, at: datetime) -> None:
        """WeChat accepted the survey: from now on the follower's answer is read against it (once per service)."""
        if message.kind != KIND:
            return
        if self.surveys.ask(REPAIR, message.values["ticket_no"], message.openid, china_wall_clock(at)) is None:
            log_event(logger, "survey.asked_before", logging.WARNING, kind=REPAIR)
