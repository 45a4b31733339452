from datetime import date
from decimal import Decimal

import pytest

from bot.backends.sql.billing import SqlBilling
from bot.backends.sql.crm import SqlCrm


@pytest.fixture()
def billing(database_url: str) -> SqlBilling:
    return SqlBilling(database_url, today=lambda: date(2026, 11, 23))


@pytest.fixture()
def customer_id(database_url: str) -> int:
    return SqlCrm(database_url).customer_by_mobile("13800138000").customer_id


def test_balance_is_in_yuan_with_two_decimals(billing: SqlBilling, customer_id: int) -> None:
    balance = billing.balance(customer_id)
    assert balance.amount == Decimal("86.50") and balance.status == "active"


def test_suspended_customer_reports_negative_balance_and_reason(billing: SqlBilling, database_url: str) -> None:
    customer = SqlCrm(database_url).customer_by_mobile("13612340002")
    balance = billing.balance(customer.customer_id)
    assert balance.amount < 0 and balance.status == "suspended" and balance.suspension_reason == "欠费停机"


def test_six_months_of_bills_newest_first_with_items_summing_to_total(billing: SqlBilling, customer_id: int) -> None:
    bills = billing.recent_bills(customer_id, 12)
    assert [b.month for b in bills] == ["2026-10", "2026-09", "2026-08", "2026-07", "2026-06", "2026-05"]
    for bill in bills:
        assert bill.items and sum(item.amount for item in bill.items) == bill.total


def test_bill_for_a_month_without_one_is_none(billing: SqlBilling, customer_id: int) -> None:
    assert billing.bill(customer_id, "2020-01") is None
    assert billing.bill(customer_id, "2026-09").month == "2026-09"


def test_usage_buckets_reset_on_the_next_billing_day(billing: SqlBilling, customer_id: int) -> None:
    buckets = {bucket.name: bucket for bucket in billing.usage(customer_id)}
    data = buckets["国内通用流量"]
    assert data.unit == "MB" and 0 <= data.used <= data.total and data.remaining == data.total - data.used
    assert data.resets_on == date(2026, 12, 1)


def test_package_has_fee_allowances_and_renewal(billing: SqlBilling, customer_id: int) -> None:
    package = billing.package(customer_id)
    assert package.name == "5G智享129元套餐" and package.monthly_fee == Decimal("129.00")
    assert package.renews_on == date(2026, 12, 1)


def test_points_and_unknown_customer(billing: SqlBilling, customer_id: int) -> None:
    assert billing.points(customer_id).balance > 0
    assert billing.points(999999) is None and billing.balance(999999) is None and billing.usage(999999) == []
