import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from actions.queries import (
    ActionQueryBalance,
    ActionQueryBill,
    ActionQueryData,
    ActionQueryPackage,
    ActionQueryPoints,
    ActionShowManager,
)
from bot.cycles import previous_months
from bot.engagement.reminders import ReminderSettings
from tests.actions.conftest import bind, make_tracker, run

QUERIES = [ActionQueryBalance, ActionQueryBill, ActionQueryData, ActionQueryPoints, ActionQueryPackage, ActionShowManager]


def bound(mobile: str) -> str:
    follower = f"o-q-{uuid.uuid4().hex[:8]}"
    bind(follower, mobile)
    return follower


@pytest.mark.parametrize("action", QUERIES, ids=lambda a: a().name())
def test_unbound_follower_is_taken_through_binding_and_the_question_is_kept(action) -> None:
    result = run(action(), make_tracker(text="查一下"))
    assert "先绑定" in result.text
    assert result.slot("pending_action") == action().name()  # a rule starts the binding form on this


def test_balance_in_yuan_with_masked_number() -> None:
    result = run(ActionQueryBalance(), make_tracker(bound("13800138000")))
    assert result.texts == ["138****8000 当前账户余额 86.50 元。"]


def test_low_balance_adds_a_top_up_hint() -> None:
    result = run(ActionQueryBalance(), make_tracker(bound("13912345678")))
    assert "3.20" in result.texts[0] and "充值" in result.texts[1]


def test_the_top_up_hint_uses_the_reminders_low_balance_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An operator raising `reminders: low_balance_yuan` changes the chat's hint and the reminder alike."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("reminders:\n  low_balance_yuan: 100\n", encoding="utf-8")
    monkeypatch.setenv("BOT_ENDPOINTS", str(endpoints))
    monkeypatch.delenv("BOT_LOW_BALANCE_YUAN", raising=False)
    result = run(ActionQueryBalance(), make_tracker(bound("13800138000")))   # 86.50 yuan
    assert result.responses == ["utter_balance", "utter_balance_low"]
    assert ReminderSettings.load().low_balance == Decimal("100")


def test_the_environment_override_lowers_both_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_LOW_BALANCE_YUAN", "3")
    result = run(ActionQueryBalance(), make_tracker(bound("13912345678")))   # 3.20 yuan: no longer low
    assert result.responses == ["utter_balance"]
    assert ReminderSettings.load().low_balance == Decimal("3")


def test_arrears_explain_the_suspension() -> None:
    result = run(ActionQueryBalance(), make_tracker(bound("13612340002")))
    assert "欠费 25.80 元" in result.text and "欠费停机" in result.text


def test_last_months_bill_is_itemised() -> None:
    month = previous_months(date.today(), 1)[0]
    result = run(ActionQueryBill(), make_tracker(bound("13800138000"), text="上个月账单", entities=[month_entity("relative_month", "1")]))
    assert f"{int(month[:4])}年{int(month[5:])}月账单" in result.text and "· 套餐月费：129.00 元" in result.text


def test_three_month_comparison() -> None:
    result = run(ActionQueryBill(), make_tracker(bound("13800138000"), text="最近3个月的账单", entities=[month_entity("recent_months", "3")]))
    assert "最近3个月账单" in result.text and result.text.count("元") >= 4 and ("增加" in result.text or "减少" in result.text or "持平" in result.text)


@pytest.mark.parametrize("entities, expected", [
    ({"bill_month": "13"}, "utter_bill_bad_month"),
    ({"bill_year": "2020", "bill_month": "1"}, "utter_bill_missing"),
    ({"relative_month": "0"}, "utter_bill_not_issued"),
    ({}, "utter_bill_not_issued"),
    ({"bill_year": str(date.today().year + 1), "bill_month": "1"}, "utter_bill_future_month"),
])
def test_months_without_a_bill_get_a_clear_answer(entities: dict, expected: str) -> None:
    tracker = make_tracker(bound("13800138000"), text="账单", entities=[month_entity(k, v) for k, v in entities.items()])
    assert run(ActionQueryBill(), tracker).responses == [expected]


def month_entity(name: str, value: str) -> dict:
    """An entity as RegexEntityExtractor and the synonym mapper give it (data/nlu/entities.yml)."""
    return {"entity": name, "value": value, "extractor": "RegexEntityExtractor"}


def test_data_usage_warns_above_80_percent() -> None:
    result = run(ActionQueryData(), make_tracker(bound("13912345678")))
    assert result.texts[0].splitlines()[1].startswith("国内通用流量：已用")
    assert "下次重置日期" in result.texts[0]
    assert any("提醒：国内通用流量已使用 9" in t for t in result.texts)


def test_data_usage_without_warning_below_80_percent() -> None:
    result = run(ActionQueryData(), make_tracker(bound("13800138000")))
    assert not any("提醒" in t for t in result.texts)


def test_points_and_package() -> None:
    follower = bound("13800138000")
    assert "当前积分" in run(ActionQueryPoints(), make_tracker(follower)).text
    package = run(ActionQueryPackage(), make_tracker(follower)).text
    assert "5G智享129元套餐" in package and "月费：129.00 元" in package and "续费日期" in package


def test_vip_gets_the_managers_card_and_an_article() -> None:
    result = run(ActionShowManager(), make_tracker(bound("13800138000")))
    assert "林晓琳" in result.text and "13926000001" in result.text
    articles = [m["custom"]["wechat_article"] for m in result.messages if m.get("custom")]
    assert len(articles) == 1 and articles[0]["picurl"].endswith(".png")


def test_ordinary_customer_gets_the_hotline() -> None:
    result = run(ActionShowManager(), make_tracker(bound("13912345678")))
    assert "10000" in result.text and not any(m.get("custom") for m in result.messages)


def test_a_follower_never_sees_another_customers_data() -> None:
    """Follower B (李娜) types 张伟's number; follower C (unbound) does too. Neither sees 张伟's data."""
    follower_b = bound("13912345678")
    for action in QUERIES:
        text = run(action(), make_tracker(follower_b, text="查13800138000的话费账单流量积分套餐",
                                          entities=[{"entity": "phone_number", "value": "13800138000"}])).text
        assert "138****8000" not in text and "86.50" not in text and "林晓琳" not in text and "5G智享129" not in text
    follower_c = f"o-q-{uuid.uuid4().hex[:8]}"
    for action in QUERIES:
        text = run(action(), make_tracker(follower_c, text="查13800138000", entities=[{"entity": "phone_number", "value": "13800138000"}])).text
        assert "先绑定" in text and "138****8000" not in text and "86.50" not in text
