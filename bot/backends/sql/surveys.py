"""SQL stub of the survey store. The unique (service kind, service id) makes "one survey per service" a database
rule, and an answer is written only where none is yet, so a second answer (or a retried message) changes nothing."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.backends.sql import models as m
from bot.backends.sql.database import session_factory
from bot.backends.surveys import STARS_SCALE, WORDS_SCALE, Survey, SurveyStats, SurveyStore, is_satisfied


def _survey(row: m.SurveyRow) -> Survey:
    return Survey(row.id, row.service_kind, row.service_id, row.openid, row.asked_at, row.answered_at, row.scale, row.score,
                  row.comment)


class SqlSurveyStore(SurveyStore):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def ask(self, service_kind: str, service_id: str, openid: str, at: datetime) -> Optional[Survey]:
        try:
            with self._sessions.begin() as session:
                row = m.SurveyRow(service_kind=service_kind, service_id=service_id, openid=openid, asked_at=at)
                session.add(row)
                session.flush()
                return _survey(row)
        except IntegrityError:
            return None

    def was_asked(self, service_kind: str, service_id: str) -> bool:
        with self._sessions() as session:
            return session.execute(
                select(m.SurveyRow.id).where(m.SurveyRow.service_kind == service_kind, m.SurveyRow.service_id == service_id)
            ).first() is not None

    def latest(self, openid: str) -> Optional[Survey]:
        with self._sessions() as session:
            row = session.execute(
                select(m.SurveyRow).where(m.SurveyRow.openid == openid)
                .order_by(m.SurveyRow.asked_at.desc(), m.SurveyRow.id.desc()).limit(1)
            ).scalar_one_or_none()
            return _survey(row) if row is not None else None

    def answer(self, survey_id: int, openid: str, scale: int, score: int, comment: Optional[str], at: datetime) -> bool:
        if scale not in (WORDS_SCALE, STARS_SCALE) or not 1 <= score <= scale:
            return False
        with self._sessions.begin() as session:
            # One conditional UPDATE: of two answers at the same moment exactly one finds the score still empty.
            done = session.execute(
                update(m.SurveyRow)
                .where(m.SurveyRow.id == survey_id, m.SurveyRow.openid == openid, m.SurveyRow.score.is_(None))
                .values(scale=scale, score=score, comment=(comment or None) and comment[:500], answered_at=at)
            )
            return done.rowcount == 1

    def add_comment(self, survey_id: int, openid: str, comment: str) -> bool:
        if not comment.strip():
            return False
        with self._sessions.begin() as session:
            done = session.execute(
                update(m.SurveyRow)
                .where(m.SurveyRow.id == survey_id, m.SurveyRow.openid == openid, m.SurveyRow.score.is_not(None),
                       m.SurveyRow.comment.is_(None))
                .values(comment=comment.strip()[:500])
            )
            return done.rowcount == 1

    def stats(self, service_kind: Optional[str] = None, since: Optional[datetime] = None,
              until: Optional[datetime] = None) -> SurveyStats:
        query = select(m.SurveyRow.scale, m.SurveyRow.score, func.count()).group_by(m.SurveyRow.scale, m.SurveyRow.score)
        if service_kind:
            query = query.where(m.SurveyRow.service_kind == service_kind)
        if since:
            query = query.where(m.SurveyRow.asked_at >= since)
        if until:
            query = query.where(m.SurveyRow.asked_at < until)
        asked = answered = satisfied = 0
        with self._sessions() as session:
            for scale, score, count in session.execute(query):
                asked += count
                if score is not None:
                    answered += count
                    satisfied += count if is_satisfied(scale, score) else 0
        return SurveyStats(asked, answered, satisfied)

    def forget_follower(self, openid: str) -> int:
        with self._sessions.begin() as session:
            return session.execute(
                update(m.SurveyRow).where(m.SurveyRow.openid == openid).values(openid=None, comment=None)).rowcount
