"""Which billing months a follower means, from the month entities NLU found (data/nlu/entities.yml).

NLU reads the expressions (本月, 上个月, 10月, 2026年9月, 最近三个月, 近仨月…); this module only turns their values
into "YYYY-MM" months and says when a value is impossible, so wording lives in the NLU data, not here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, List, Optional

MAX_RECENT_MONTHS = 12   # bills kept online; a longer range is refused, not silently cut


@dataclass(frozen=True)
class MonthRequest:
    months: List[str]          # "YYYY-MM", newest first
    problem: Optional[str] = None   # "invalid_month" or "future_month" when the follower named an impossible one

    @property
    def is_comparison(self) -> bool:
        return len(self.months) > 1


def _shift(today: date, back: int) -> str:
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _as_int(value: Any) -> Optional[int]:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def requested_months(today: date, month: Any = None, year: Any = None, months_back: Any = None,
                     recent: Any = None, through: Any = None) -> MonthRequest:
    """The months asked about, newest first; the current month when no month entity was found.

    `recent` (how many recent months) wins over a month number, as in 近3月; then a month counted back (上个月),
    then a named month, in the given year or else the latest one not after this month ("10月" in January);
    `through` is a second named month ("8月到10月"): every month from the first to it.
    """
    count = _as_int(recent)
    if count is not None:
        if not 1 <= count <= MAX_RECENT_MONTHS:
            return MonthRequest([], "invalid_month")
        return MonthRequest([_shift(today, back) for back in range(1, count + 1)])
    back = _as_int(months_back)
    if back is not None and month is None:
        return MonthRequest([_shift(today, back)])
    number = _as_int(month)
    if number is None:
        return MonthRequest([_shift(today, 0)])
    if not 1 <= number <= 12:
        return MonthRequest([], "invalid_month")
    named_year = _as_int(year)
    if named_year is None:
        named_year = today.year if number <= today.month else today.year - 1
    if (named_year, number) > (today.year, today.month):
        return MonthRequest([], "future_month")
    first = f"{named_year:04d}-{number:02d}"
    last = requested_months(today, month=through).months if _as_int(through) not in (None, number) else []
    if not last:
        return MonthRequest([first])
    newest, oldest = max(first, last[0]), min(first, last[0])
    span = [_shift(today, back) for back in range(0, MAX_RECENT_MONTHS + 1)]
    return MonthRequest([m for m in span if oldest <= m <= newest])
