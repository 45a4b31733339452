"""Which billing months a follower means: 本月, 上个月, 10月, 2026年9月, 最近三个月, 近3个月, 2026-09…"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import List, Optional

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_NUMBER = r"(\d{1,2}|十一|十二|[一二两三四五六七八九十])"
_RECENT = re.compile(rf"(?:最近|近|前)\s*{_NUMBER}\s*个?月")
_YEAR_MONTH = re.compile(rf"(\d{{4}})\s*(?:年|-|/|\.)\s*{_NUMBER}\s*月?")
_MONTH = re.compile(rf"(?<![\d年])(?<!最近)(?<!近){_NUMBER}\s*月(?:份)?")


@dataclass(frozen=True)
class MonthRequest:
    months: List[str]          # "YYYY-MM", newest first
    problem: Optional[str] = None   # "invalid_month" or "future_month" when the follower named an impossible one

    @property
    def is_comparison(self) -> bool:
        return len(self.months) > 1


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def _shift(today: date, back: int) -> str:
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_in(text: str, today: date) -> MonthRequest:
    """The months a message asks about; the current month when it names none."""
    text = text or ""
    recent = _RECENT.search(text)
    if recent:
        count = _number(recent.group(1))
        if not 1 <= count <= 12:
            return MonthRequest([], "invalid_month")
        return MonthRequest([_shift(today, back) for back in range(1, count + 1)])
    if "上上个月" in text or "上上月" in text:
        return MonthRequest([_shift(today, 2)])
    if "上个月" in text or "上月" in text:
        return MonthRequest([_shift(today, 1)])
    explicit = _YEAR_MONTH.search(text)
    year, month = (int(explicit.group(1)), _number(explicit.group(2))) if explicit else (None, None)
    if explicit is None:
        bare = _MONTH.search(text)
        if bare is None:
            return MonthRequest([_shift(today, 0)])
        month = _number(bare.group(1))
        year = today.year if month <= today.month else today.year - 1  # "10月" in January means last year's
    if not 1 <= month <= 12:
        return MonthRequest([], "invalid_month")
    if (year, month) > (today.year, today.month):
        return MonthRequest([], "future_month")
    return MonthRequest([f"{year:04d}-{month:02d}"])
