"""Satisfaction surveys the account sends first: after a repair ticket is completed by the back end.

Each completed, unrated ticket gets one survey, to the follower most recently bound to its customer. The
survey is recorded as asked when it is first due (so a second runner, or the next run, does not ask again), and
it stays due while it is unanswered and fresh, with the same dedupe key, so the campaign runner sends it once
even when a dry run saw it first. When the answer comes, actions/surveys.py reads it against this record: the
question is current while the bot has said nothing to the follower since it was asked (at most 48 hours).
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from bot.backends import get_crm, get_repairs, get_surveys
from bot.backends.surveys import REPAIR, SURVEY_VALID
from bot.engagement.reminders import china_wall_clock
from bot.outbound.message import OutboundMessage



def repair_survey(openid: str, ticket_no: str) -> OutboundMessage:
    return OutboundMessage(openid=openid, response="utter_survey_question_repair", kind="survey",
                           dedupe_key=f"survey:{REPAIR}:{ticket_no}", values={"ticket_no": ticket_no})


class SurveySource:
    """An OutboundSource (bot.outbound.message): the repair surveys due at `now`. Never sent as a template
    (no consent to marketing-like messages is implied), so only inside WeChat's 48-hour window."""

    def __init__(self) -> None:
        self.crm, self.repairs, self.surveys = get_crm(), get_repairs(), get_surveys()

    def due_messages(self, now: datetime) -> Iterable[OutboundMessage]:
        local = china_wall_clock(now)
        return list(self._due(local))

    def _due(self, now: datetime) -> Iterator[OutboundMessage]:
        for ticket in self.repairs.completed_unrated_tickets():
            line = self.crm.broadband_line(ticket.line_id)
            followers = self.crm.followers_of(line.customer_id) if line else []
            if not followers:
                continue
            asked = self.surveys.ask(REPAIR, ticket.ticket_no, followers[0], now)
            if asked is None:   # asked before: due again only while unanswered, fresh and still that follower's
                previous = self.surveys.latest(followers[0])
                if not (previous and previous.service_kind == REPAIR and previous.service_id == ticket.ticket_no
                        and not previous.answered and now - previous.asked_at <= SURVEY_VALID):
                    continue
            yield repair_survey(followers[0], ticket.ticket_no)
