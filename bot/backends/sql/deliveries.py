"""SQL delivery log. The claim is an INSERT under the unique (campaign, openid, dedupe_key) key, or a conditional
UPDATE of a retryable failure: either way exactly one runner gets rowcount 1, on SQLite as on PostgreSQL."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.backends.deliveries import CLAIMED, FAILED, RETRYABLE_REASONS, SENT, DeliveryLog, DeliveryRecord
from bot.backends.sql.database import session_factory
from bot.backends.sql.outbound_tables import DeliveryRow as Row


def _record(row: Row) -> DeliveryRecord:
    return DeliveryRecord(row.campaign, row.openid, row.dedupe_key, row.kind, row.status, row.route, row.reason, row.errcode,
                          row.msgid, row.template_status, row.claimed_at, row.finished_at)


class SqlDeliveryLog(DeliveryLog):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def _key(self, campaign: str, openid: str, dedupe_key: str):  # type: ignore[no-untyped-def]
        return (Row.campaign == campaign, Row.openid == openid, Row.dedupe_key == dedupe_key)

    def claim(self, campaign: str, openid: str, dedupe_key: str, kind: str, now: datetime) -> bool:
        try:
            with self._sessions.begin() as session:
                session.add(Row(campaign=campaign, openid=openid, dedupe_key=dedupe_key, kind=kind, status=CLAIMED, claimed_at=now))
            return True
        except IntegrityError:
            pass
        with self._sessions.begin() as session:
            released = session.execute(
                update(Row).where(*self._key(campaign, openid, dedupe_key), Row.status == FAILED, Row.reason.in_(RETRYABLE_REASONS))
                .values(status=CLAIMED, claimed_at=now, finished_at=None, reason=None, errcode=None)
            ).rowcount
        return released == 1

    def settle(self, campaign: str, openid: str, dedupe_key: str, status: str, now: datetime, route: Optional[str] = None,
               reason: Optional[str] = None, errcode: Optional[int] = None, msgid: Optional[str] = None) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Row).where(*self._key(campaign, openid, dedupe_key)).values(
                status=status, route=route, reason=reason, errcode=errcode, msgid=msgid, finished_at=now))

    def sent_elsewhere(self, openid: str, dedupe_key: str, campaign: str) -> Optional[str]:
        with self._sessions() as session:
            return session.execute(
                select(Row.campaign).where(Row.openid == openid, Row.dedupe_key == dedupe_key, Row.status == SENT,
                                           Row.campaign != campaign).limit(1)
            ).scalar_one_or_none()

    def record_template_result(self, msgid: str, status: str) -> bool:
        with self._sessions.begin() as session:
            return session.execute(update(Row).where(Row.msgid == str(msgid)).values(template_status=status[:32])).rowcount > 0

    def deliveries(self, campaign: str) -> List[DeliveryRecord]:
        with self._sessions() as session:
            rows = session.execute(select(Row).where(Row.campaign == campaign).order_by(Row.id)).scalars()
            return [_record(row) for row in rows]

    def forget_follower(self, openid: str) -> int:
        with self._sessions.begin() as session:
            return session.execute(delete(Row).where(Row.openid == openid)).rowcount
