"""SQL stub of the billing interface over the demo tables."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Callable, List, Optional

from sqlalchemy import select

from bot import clock
from bot.backends.billing import Balance, Bill, BillingBackend, BillItem, Package, Points, UsageBucket
from bot.backends.sql import models as m
from bot.backends.sql.database import session_factory
from bot.cycles import next_cycle_start


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _bill(row: m.BillRow) -> Bill:
    items = tuple(BillItem(item.name, yuan(item.amount_fen)) for item in row.items)
    return Bill(row.customer_id, row.month, yuan(row.total_fen), row.paid, items)


class SqlBilling(BillingBackend):
    def __init__(self, database_url: str, today: Optional[Callable[[], date]] = None) -> None:
        self._sessions = session_factory(database_url)
        self._today = today or (lambda: clock.today())  # the billing day turns over at China midnight

    def balance(self, customer_id: int) -> Optional[Balance]:
        with self._sessions() as session:
            row = session.get(m.CustomerRow, customer_id)
            return Balance(row.id, yuan(row.balance_fen), row.status, row.suspension_reason) if row else None

    def bill(self, customer_id: int, month: str) -> Optional[Bill]:
        with self._sessions() as session:
            row = session.execute(
                select(m.BillRow).where(m.BillRow.customer_id == customer_id, m.BillRow.month == month)
            ).scalar_one_or_none()
            return _bill(row) if row else None

    def recent_bills(self, customer_id: int, months: int) -> List[Bill]:
        with self._sessions() as session:
            rows = session.execute(
                select(m.BillRow).where(m.BillRow.customer_id == customer_id).order_by(m.BillRow.month.desc()).limit(months)
            ).scalars()
            return [_bill(row) for row in rows]

    def usage(self, customer_id: int) -> List[UsageBucket]:
        with self._sessions() as session:
            customer = session.get(m.CustomerRow, customer_id)
            if customer is None:
                return []
            resets_on = next_cycle_start(self._today(), customer.billing_day)
            rows = session.execute(
                select(m.UsageRow).where(m.UsageRow.customer_id == customer_id).order_by(m.UsageRow.bucket)
            ).scalars()
            return [UsageBucket(r.bucket, r.unit, r.used, r.total, resets_on) for r in rows]

    def points(self, customer_id: int) -> Optional[Points]:
        with self._sessions() as session:
            row = session.get(m.PointsRow, customer_id)
            return Points(row.customer_id, row.balance, row.expiring, row.expiring_on) if row else None

    def package(self, customer_id: int) -> Optional[Package]:
        with self._sessions() as session:
            customer = session.get(m.CustomerRow, customer_id)
            if customer is None:
                return None
            row = session.get(m.PackageRow, customer.package_code)
            return Package(
                row.code, row.name, yuan(row.monthly_fee_fen), row.data_mb, row.voice_minutes, row.description,
                next_cycle_start(self._today(), customer.billing_day),
            )
