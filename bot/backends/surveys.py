"""Satisfaction surveys: one short question per service (a repair, a human agent's session, a check-in).

A survey is asked once per service and answered once; the figures the operations console shows
(satisfaction and response rate) are computed from the store by `SurveyStore.stats`.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

REPAIR = "repair"
HANDOFF = "handoff"
CHECKIN = "checkin"

SURVEY_VALID = timedelta(hours=48)   # a survey question older than this is no longer current (dialogue and runner)

WORDS_SCALE = 3   # 满意 3, 一般 2, 不满意 1
STARS_SCALE = 5   # 1–5 stars


def is_satisfied(scale: int, score: int) -> bool:
    """满意 on the three-word scale, or 4–5 stars."""
    return score == WORDS_SCALE if scale == WORDS_SCALE else score >= 4


@dataclass(frozen=True)
class Survey:
    survey_id: int
    service_kind: str
    service_id: str
    openid: Optional[str]
    asked_at: datetime
    answered_at: Optional[datetime] = None
    scale: Optional[int] = None
    score: Optional[int] = None
    comment: Optional[str] = None

    @property
    def answered(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class SurveyStats:
    asked: int
    answered: int
    satisfied: int

    @property
    def satisfaction(self) -> Optional[float]:
        """Satisfied answers ÷ answers; None before the first answer."""
        return self.satisfied / self.answered if self.answered else None

    @property
    def response_rate(self) -> Optional[float]:
        """Answers ÷ surveys asked; None before the first survey."""
        return self.answered / self.asked if self.asked else None


class SurveyStore(abc.ABC):
    """Surveys asked and their answers. Implementations must be safe to share across threads."""

    @abc.abstractmethod
    def ask(self, service_kind: str, service_id: str, openid: str, at: datetime) -> Optional[Survey]:
        """Record that the survey of this service is asked now; None when it was asked before (once per service)."""

    @abc.abstractmethod
    def was_asked(self, service_kind: str, service_id: str) -> bool: ...

    @abc.abstractmethod
    def latest(self, openid: str) -> Optional[Survey]:
        """The follower's most recently asked survey, answered or not."""

    @abc.abstractmethod
    def answer(self, survey_id: int, openid: str, scale: int, score: int, comment: Optional[str], at: datetime) -> bool:
        """Store the answer once; False when the survey is not this follower's, is answered already, or the score is
        outside the scale."""

    @abc.abstractmethod
    def add_comment(self, survey_id: int, openid: str, comment: str) -> bool:
        """A comment after the answer; False unless the survey is the follower's, answered and without a comment."""

    @abc.abstractmethod
    def stats(self, service_kind: Optional[str] = None, since: Optional[datetime] = None,
              until: Optional[datetime] = None) -> SurveyStats:
        """Surveys asked in [since, until) (all when None), of one kind or all."""

    @abc.abstractmethod
    def forget_follower(self, openid: str) -> int:
        """Unsubscribe: the follower's surveys lose the OpenID and the comment; asked and answered stay counted."""
