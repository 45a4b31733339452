"""SQL stub of the repair desk. The open-ticket lock row makes "one open ticket per line" a database rule,
so two concurrent reports (or a retried message) can never open two tickets."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot import clock
from bot.backends.crm import DONE_STATUS, FaultTicket
from bot.backends.repairs import URGE_INTERVAL_SECONDS, RepairDesk, TicketResult, UrgeResult, VisitSlot
from bot.backends.sql import models as m
from bot.backends.sql.crm import OPEN_TICKET_STATUSES, _ticket
from bot.backends.sql.database import session_factory

SLOT_HOURS = ((9, 12), (14, 18))
_sequence_lock = threading.Lock()


class SqlRepairDesk(RepairDesk):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def visit_slots(self, line_id: int, now: datetime, count: int = 3) -> List[VisitSlot]:
        """The next `count` half-day windows that start at least two hours from now."""
        slots: List[VisitSlot] = []
        day = now.date()
        while len(slots) < count:
            for start, end in SLOT_HOURS:
                begins = datetime(day.year, day.month, day.day, start)
                if begins >= now + timedelta(hours=2) and len(slots) < count:
                    slots.append(VisitSlot(begins, datetime(day.year, day.month, day.day, end)))
            day += timedelta(days=1)
        return slots

    def open_ticket_for_line(self, line_id: int) -> Optional[FaultTicket]:
        with self._sessions() as session:
            lock = session.get(m.OpenTicketLockRow, line_id)
            if lock is None:
                return None
            row = session.execute(select(m.FaultTicketRow).where(m.FaultTicketRow.ticket_no == lock.ticket_no)).scalar_one()
            return _ticket(row)

    def _next_number(self, session, now: datetime) -> str:  # type: ignore[no-untyped-def]
        prefix = f"GZ{now:%Y%m%d}"
        latest = session.execute(select(func.max(m.FaultTicketRow.ticket_no)).where(m.FaultTicketRow.ticket_no.like(f"{prefix}%"))).scalar_one()
        return f"{prefix}{(int(latest[len(prefix):]) if latest else 0) + 1:05d}"

    def open_ticket(self, line_id: int, symptom: str, slot: VisitSlot, photo_url: Optional[str], now: datetime) -> TicketResult:
        existing = self.open_ticket_for_line(line_id)
        if existing is not None:
            return TicketResult(existing, created=False)
        try:
            with _sequence_lock, self._sessions.begin() as session:
                line = session.get(m.BroadbandLineRow, line_id)
                technician = session.execute(
                    select(m.TechnicianRow).where(m.TechnicianRow.district == line.district).order_by(m.TechnicianRow.id)
                ).scalars().first()
                number = self._next_number(session, now)
                session.add(m.OpenTicketLockRow(line_id=line_id, ticket_no=number))
                session.flush()  # the lock row first: a concurrent report fails here, before any ticket exists
                session.add(m.FaultTicketRow(
                    ticket_no=number, line_id=line_id, symptom=symptom, status="已派单" if technician else "受理",
                    technician_id=technician.id if technician else None, created_at=now, expected_arrival=slot.starts,
                    slot_start=slot.starts, slot_end=slot.ends, photo_url=photo_url,
                ))
        except IntegrityError:
            return TicketResult(self.open_ticket_for_line(line_id), created=False)  # type: ignore[arg-type]
        return TicketResult(self.open_ticket_for_line(line_id), created=True)  # type: ignore[arg-type]

    def _row(self, session, ticket_no: str) -> Optional[m.FaultTicketRow]:  # type: ignore[no-untyped-def]
        return session.execute(select(m.FaultTicketRow).where(m.FaultTicketRow.ticket_no == ticket_no)).scalar_one_or_none()

    def attach_photo(self, ticket_no: str, photo_url: str) -> None:
        with self._sessions.begin() as session:
            row = self._row(session, ticket_no)
            if row is not None:
                row.photo_url = photo_url

    def urge(self, ticket_no: str, now: datetime) -> UrgeResult:
        with self._sessions.begin() as session:
            row = self._row(session, ticket_no)
            if row is None or row.status not in OPEN_TICKET_STATUSES:
                return UrgeResult(False)
            if row.last_urged_at and now - row.last_urged_at < timedelta(seconds=URGE_INTERVAL_SECONDS):
                return UrgeResult(False, row.last_urged_at + timedelta(seconds=URGE_INTERVAL_SECONDS))
            row.last_urged_at = now
            row.urge_count += 1
            return UrgeResult(True)

    def cancel(self, ticket_no: str) -> bool:
        with self._sessions.begin() as session:
            row = self._row(session, ticket_no)
            if row is None or row.status not in OPEN_TICKET_STATUSES:
                return False
            row.status = "已撤销"
            lock = session.get(m.OpenTicketLockRow, row.line_id)
            if lock is not None and lock.ticket_no == ticket_no:
                session.delete(lock)
            return True

    def rate(self, ticket_no: str, stars: int, comment: str) -> bool:
        if not 1 <= stars <= 5:
            return False
        with self._sessions.begin() as session:
            row = self._row(session, ticket_no)
            if row is None or row.status != DONE_STATUS or row.rating is not None:
                return False
            row.rating, row.rating_comment = stars, comment[:500]
            return True

    def completed_unrated_tickets(self) -> List[FaultTicket]:
        with self._sessions() as session:
            rows = session.execute(
                select(m.FaultTicketRow).where(m.FaultTicketRow.status == DONE_STATUS, m.FaultTicketRow.rating.is_(None))
                .order_by(m.FaultTicketRow.created_at, m.FaultTicketRow.id)
            ).scalars()
            return [_ticket(row) for row in rows]

    def subscribe_restore_notice(self, line_id: int, openid: str) -> None:
        with self._sessions.begin() as session:
            if session.get(m.RestoreNoticeRow, (line_id, openid)) is None:
                session.add(m.RestoreNoticeRow(line_id=line_id, openid=openid, requested_at=clock.now()))

    def restore_notice_requests(self, line_ids: List[int]) -> List[Tuple[int, str]]:
        if not line_ids:
            return []
        with self._sessions() as session:
            rows = session.execute(
                select(m.RestoreNoticeRow.line_id, m.RestoreNoticeRow.openid)
                .where(m.RestoreNoticeRow.line_id.in_(line_ids)).order_by(m.RestoreNoticeRow.line_id, m.RestoreNoticeRow.openid)
            ).all()
            return [(line_id, openid) for line_id, openid in rows]

    def clear_restore_notices(self, requests: List[Tuple[int, str]]) -> int:
        with self._sessions.begin() as session:
            return sum(session.execute(delete(m.RestoreNoticeRow).where(
                m.RestoreNoticeRow.line_id == line_id, m.RestoreNoticeRow.openid == openid)).rowcount for line_id, openid in requests)

    def forget_follower(self, openid: str, before: Optional[datetime] = None) -> int:
        condition = m.RestoreNoticeRow.openid == openid
        if before is not None:   # rows from before the column existed have no time: they are older
            condition = condition & (m.RestoreNoticeRow.requested_at.is_(None) | (m.RestoreNoticeRow.requested_at < before))
        with self._sessions.begin() as session:
            return session.execute(delete(m.RestoreNoticeRow).where(condition)).rowcount
