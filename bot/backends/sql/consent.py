"""SQL stub of the consent registry: every choice is a row with its time, so the history is kept and the
latest choice per follower and topic is the one that counts."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import aliased

from bot.backends.consent import Consent, ConsentRegistry
from bot.backends.sql import models as m
from bot.backends.sql.database import session_factory


class SqlConsentRegistry(ConsentRegistry):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def record(self, openid: str, topic: str, granted: bool, at: datetime) -> None:
        with self._sessions.begin() as session:
            session.add(m.ConsentRow(openid=openid, topic=topic, granted=granted, recorded_at=at))

    def latest(self, openid: str, topic: str) -> Optional[Consent]:
        with self._sessions() as session:
            row = session.execute(
                select(m.ConsentRow).where(m.ConsentRow.openid == openid, m.ConsentRow.topic == topic)
                .order_by(m.ConsentRow.recorded_at.desc(), m.ConsentRow.id.desc()).limit(1)
            ).scalar_one_or_none()
            return Consent(row.topic, row.granted, row.recorded_at) if row else None

    def followers_with(self, topic: str) -> List[str]:
        newer = aliased(m.ConsentRow)
        superseded = exists().where(
            newer.openid == m.ConsentRow.openid, newer.topic == topic,
            or_(newer.recorded_at > m.ConsentRow.recorded_at,
                and_(newer.recorded_at == m.ConsentRow.recorded_at, newer.id > m.ConsentRow.id)),
        )
        query = (select(m.ConsentRow.openid)
                 .where(m.ConsentRow.topic == topic, m.ConsentRow.granted.is_(True), ~superseded)
                 .order_by(m.ConsentRow.openid))
        with self._sessions() as session:
            return list(session.execute(query).scalars())

    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        condition = m.ConsentRow.openid == openid
        if before is not None:   # a choice made after re-subscribing is the new follower's
            condition = condition & (m.ConsentRow.recorded_at < before)
        with self._sessions.begin() as session:
            return session.execute(delete(m.ConsentRow).where(condition)).rowcount
