"""The billing interface: balance, bills, usage, points and the subscribed package.

Amounts are `Decimal` yuan (two places); stubs store integer fen so no float rounding leaks out.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import List, Optional, Tuple


@dataclass(frozen=True)
class Balance:
    customer_id: int
    amount: Decimal          # negative when in arrears
    status: str              # "active" or "suspended"
    suspension_reason: Optional[str]


@dataclass(frozen=True)
class BillItem:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class Bill:
    customer_id: int
    month: str               # "YYYY-MM"
    total: Decimal
    paid: bool
    items: Tuple[BillItem, ...]


@dataclass(frozen=True)
class UsageBucket:
    name: str                # 国内通用流量, 国内通话, ...
    unit: str                # MB, 分钟, 条
    used: int
    total: int
    resets_on: date

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)

    @property
    def used_ratio(self) -> float:
        return self.used / self.total if self.total else 0.0


@dataclass(frozen=True)
class Points:
    customer_id: int
    balance: int
    expiring: int
    expiring_on: Optional[date]


@dataclass(frozen=True)
class Package:
    code: str
    name: str
    monthly_fee: Decimal
    data_mb: int
    voice_minutes: int
    description: str
    renews_on: date


class BillingBackend(abc.ABC):
    """Read access to a customer's billing data. Implementations must be safe to share across threads."""

    @abc.abstractmethod
    def balance(self, customer_id: int) -> Optional[Balance]: ...

    @abc.abstractmethod
    def bill(self, customer_id: int, month: str) -> Optional[Bill]: ...

    @abc.abstractmethod
    def recent_bills(self, customer_id: int, months: int) -> List[Bill]:
        """The latest `months` bills, newest first."""

    @abc.abstractmethod
    def usage(self, customer_id: int) -> List[UsageBucket]:
        """Usage of the current cycle, one bucket per allowance."""

    @abc.abstractmethod
    def points(self, customer_id: int) -> Optional[Points]: ...

    @abc.abstractmethod
    def package(self, customer_id: int) -> Optional[Package]: ...
