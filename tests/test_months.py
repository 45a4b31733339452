from datetime import date

import pytest

from bot.months import months_in

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "text, months",
    [
        ("查账单", ["2026-11"]),
        ("本月账单", ["2026-11"]),
        ("上个月账单", ["2026-10"]),
        ("上月话费", ["2026-10"]),
        ("上上个月", ["2026-09"]),
        ("10月账单", ["2026-10"]),
        ("看看9月份消费", ["2026-09"]),
        ("十月的账单", ["2026-10"]),
        ("12月账单", ["2025-12"]),
        ("2026年9月的账单", ["2026-09"]),
        ("2025-12账单", ["2025-12"]),
        ("最近三个月的账单", ["2026-10", "2026-09", "2026-08"]),
        ("近3个月消费", ["2026-10", "2026-09", "2026-08"]),
    ],
)
def test_months_named_in_chinese(text: str, months: list) -> None:
    assert months_in(text, TODAY).months == months


@pytest.mark.parametrize("text, problem", [("13月账单", "invalid_month"), ("2027年1月账单", "future_month"),
                                           ("最近20个月", "invalid_month")])
def test_impossible_months_are_reported(text: str, problem: str) -> None:
    result = months_in(text, TODAY)
    assert result.months == [] and result.problem == problem
