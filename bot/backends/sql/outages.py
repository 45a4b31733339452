"""SQL outage board: an area is a district name (天河区) or the start of lines' addresses (广州市天河区体育西路)."""
from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import or_, select

from bot.backends.crm import BroadbandLine
from bot.backends.outages import Outage, OutageBoard, UnknownArea, UnknownOutage
from bot.backends.sql import models as m
from bot.backends.sql.crm import _line
from bot.backends.sql.database import session_factory
from bot.backends.sql.outbound_tables import OutageRow


def _outage(row: OutageRow) -> Outage:
    return Outage(row.id, row.area, row.cause, row.expected_restore_at, row.announced_at, row.restored_at)


def covers(area: str, line: BroadbandLine) -> bool:
    return line.district == area or line.address.startswith(area)


class SqlOutageBoard(OutageBoard):
    def __init__(self, database_url: str) -> None:
        self._sessions = session_factory(database_url)

    def lines_in(self, area: str) -> List[BroadbandLine]:
        area = area.strip()
        if not area:
            return []
        with self._sessions() as session:
            rows = session.execute(
                select(m.BroadbandLineRow)
                .where(or_(m.BroadbandLineRow.district == area, m.BroadbandLineRow.address.startswith(area, autoescape=True)))
                .order_by(m.BroadbandLineRow.id)
            ).scalars().all()
            return [_line(row) for row in rows]

    def announce(self, area: str, expected_restore_at: datetime, cause: str, now: datetime) -> Outage:
        area, cause = area.strip(), cause.strip()
        if not self.lines_in(area):
            raise UnknownArea(f"no broadband line lies in area {area!r} (a district such as 荔湾区, or an address prefix)")
        with self._sessions.begin() as session:
            row = session.execute(
                select(OutageRow).where(OutageRow.area == area, OutageRow.restored_at.is_(None))
            ).scalars().first()
            if row is None:
                row = OutageRow(area=area, announced_at=now, cause=cause, expected_restore_at=expected_restore_at)
                session.add(row)
            else:
                row.cause, row.expected_restore_at = cause, expected_restore_at
            session.flush()
            return _outage(row)

    def restore(self, outage_id: int, now: datetime) -> Outage:
        with self._sessions.begin() as session:
            row = session.get(OutageRow, outage_id)
            if row is None:
                raise UnknownOutage(f"no outage {outage_id}")
            if row.restored_at is None:
                row.restored_at = now
            return _outage(row)

    def get(self, outage_id: int) -> Outage:
        with self._sessions() as session:
            row = session.get(OutageRow, outage_id)
            if row is None:
                raise UnknownOutage(f"no outage {outage_id}")
            return _outage(row)

    def active(self) -> List[Outage]:
        with self._sessions() as session:
            rows = session.execute(select(OutageRow).where(OutageRow.restored_at.is_(None)).order_by(OutageRow.id)).scalars()
            return [_outage(row) for row in rows]

    def restored(self) -> List[Outage]:
        with self._sessions() as session:
            rows = session.execute(select(OutageRow).where(OutageRow.restored_at.is_not(None)).order_by(OutageRow.id)).scalars()
            return [_outage(row) for row in rows]

    def active_for_line(self, line: BroadbandLine) -> Optional[Outage]:
        covering = [outage for outage in self.active() if covers(outage.area, line)]
        return max(covering, key=lambda o: o.expected_restore_at) if covering else None
