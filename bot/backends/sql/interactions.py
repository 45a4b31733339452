"""SQL interaction log: one row per follower (written by the WeChat channel, read by the outbound delivery)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.backends.interactions import EVENT, MESSAGE, InteractionLog, Interactions
from bot.backends.sql.database import session_factory
from bot.backends.sql.outbound_tables import FollowerInteractionRow as Row


class SqlInteractionLog(InteractionLog):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def record(self, openid: str, kind: str, at: datetime) -> None:
        values = {"last_message_at": at, "message_sends": 0} if kind == MESSAGE else {"last_event_at": at, "event_sends": 0}
        with self._sessions.begin() as session:
            if session.execute(update(Row).where(Row.openid == openid).values(**values)).rowcount:
                return
        try:
            with self._sessions.begin() as session:
                session.add(Row(**{"openid": openid, "message_sends": 0, "event_sends": 0, **values}))
        except IntegrityError:  # another worker inserted the follower's row meanwhile
            with self._sessions.begin() as session:
                session.execute(update(Row).where(Row.openid == openid).values(**values))

    def latest(self, openid: str) -> Optional[Interactions]:
        with self._sessions() as session:
            row = session.get(Row, openid)
            if row is None:
                return None
            return Interactions(openid, row.last_message_at, row.message_sends, row.last_event_at, row.event_sends)

    def count_send(self, openid: str, kind: str) -> None:
        column = Row.message_sends if kind == MESSAGE else Row.event_sends
        assert kind in (MESSAGE, EVENT)
        with self._sessions.begin() as session:
            session.execute(update(Row).where(Row.openid == openid).values({column: column + 1}))

    def forget_follower(self, openid: str) -> int:
        with self._sessions.begin() as session:
            return session.execute(delete(Row).where(Row.openid == openid)).rowcount
