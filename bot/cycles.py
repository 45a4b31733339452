"""Billing-cycle date arithmetic shared by billing stubs and replies."""
from __future__ import annotations

from datetime import date
from typing import List


def next_cycle_start(today: date, billing_day: int) -> date:
    """The next date on `billing_day` strictly after today (billing days are 1–28, valid in every month)."""
    if today.day < billing_day:
        return today.replace(day=billing_day)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, billing_day)


def previous_months(today: date, count: int) -> List[str]:
    """`count` month keys "YYYY-MM" ending with the month before `today`'s, newest first."""
    keys = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        keys.append(f"{year:04d}-{month:02d}")
    return keys
