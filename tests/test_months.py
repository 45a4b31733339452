"""Billing months from the values of the month entities (bill_month, bill_year, relative_month, recent_months)."""
from datetime import date

import pytest

from bot.months import requested_months

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "values, months",
    [
        ({}, ["2026-11"]),
        ({"months_back": "0"}, ["2026-11"]),
        ({"months_back": "1"}, ["2026-10"]),
        ({"months_back": "2"}, ["2026-09"]),
        ({"month": "10"}, ["2026-10"]),
        ({"month": "09"}, ["2026-09"]),
        ({"month": "12"}, ["2025-12"]),          # December named in November: last year's
        ({"month": "9", "year": "2026"}, ["2026-09"]),
        ({"month": "12", "year": "2025"}, ["2025-12"]),
        ({"recent": "3"}, ["2026-10", "2026-09", "2026-08"]),
        ({"recent": "3", "month": "3"}, ["2026-10", "2026-09", "2026-08"]),   # 近3月: both regexes match
        ({"months_back": "1", "month": "8"}, ["2026-08"]),                  # a named month wins over 这个月
        ({"month": "8", "through": "10"}, ["2026-10", "2026-09", "2026-08"]),   # 8月到10月
        ({"month": "10", "through": "8"}, ["2026-10", "2026-09", "2026-08"]),
        ({"month": "12", "through": "2"}, ["2026-02", "2026-01", "2025-12"]),   # across the new year
    ],
)
def test_months_from_entity_values(values: dict, months: list) -> None:
    assert requested_months(TODAY, **values).months == months


@pytest.mark.parametrize("values, problem", [({"month": "13"}, "invalid_month"), ({"month": "1", "year": "2027"}, "future_month"),
                                             ({"recent": "20"}, "invalid_month"), ({"recent": "0"}, "invalid_month")])
def test_impossible_months_are_reported(values: dict, problem: str) -> None:
    result = requested_months(TODAY, **values)
    assert result.months == [] and result.problem == problem
