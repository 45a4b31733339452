"""Who gets which reminder or survey: the sources the campaign runner runs, on the seeded database."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Dict, List

import pytest

from bot import backends
from bot.backends import get_billing, get_consent, get_crm, get_repairs, get_surveys
from bot.backends.consent import USAGE_REMINDERS
from bot.backends.surveys import REPAIR
from bot.engagement.reminders import ReminderSettings, ReminderSource
from bot.engagement.surveys import SurveySource
from bot.outbound.message import OutboundMessage
from tests.conftest import FIXED_NOW

CHINA = timezone(timedelta(hours=8))
NOW = FIXED_NOW.replace(tzinfo=CHINA)   # the runner passes China time, aware
LI_NA, ZHANG_WEI, WANG_FANG = "13912345678", "13800138000", "13712340001"


@pytest.fixture(autouse=True)
def _backends(configured_backends: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from bot import clock

    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    return configured_backends


def bind(openid: str, mobile: str) -> None:
    crm = get_crm()
    crm.bind_openid(openid, crm.customer_by_mobile(mobile).customer_id)


def opt_in(openid: str, granted: bool = True, at: datetime = FIXED_NOW) -> None:
    get_consent().record(openid, USAGE_REMINDERS, granted, at)


def by_follower(messages: List[OutboundMessage]) -> Dict[str, Dict[str, OutboundMessage]]:
    grouped: Dict[str, Dict[str, OutboundMessage]] = {}
    for message in messages:
        grouped.setdefault(message.openid, {})[message.dedupe_key] = message
    return grouped


def test_only_followers_who_opted_in_and_are_bound_get_reminders() -> None:
    bind("o-rem-in", LI_NA), opt_in("o-rem-in")
    bind("o-rem-out", LI_NA), opt_in("o-rem-out"), opt_in("o-rem-out", False, FIXED_NOW + timedelta(minutes=1))
    bind("o-rem-never", LI_NA)
    opt_in("o-rem-unbound")
    got = by_follower(list(ReminderSource().due_messages(NOW)))
    assert set(got) == {"o-rem-in"}


def test_li_na_gets_the_bill_the_data_warning_and_the_low_balance_once_each() -> None:
    bind("o-rem-lina", LI_NA), opt_in("o-rem-lina")
    messages = by_follower(list(ReminderSource().due_messages(NOW)))["o-rem-lina"]
    cycle = get_billing().usage(get_crm().customer_by_mobile(LI_NA).customer_id)[0].resets_on.isoformat()
    assert set(messages) == {"bill:2026-10", f"data:{cycle}:国内通用流量:80", "balance:2026-11"}
    bill = messages["bill:2026-10"]
    assert (bill.kind, bill.response, bill.values["year"], bill.values["month"]) == ("bill_reminder", "utter_reminder_bill", "2026", "10")
    assert bill.values["masked_mobile"] == "139****5678" and bill.template_consented and bill.template == "bill_reminder"
    data = messages[f"data:{cycle}:国内通用流量:80"]
    assert (data.kind, data.response, data.values["percent"]) == ("usage_reminder", "utter_reminder_data", "91")
    balance = messages["balance:2026-11"]
    assert (balance.response, balance.values["amount"], balance.values["threshold"]) == ("utter_reminder_balance", "3.20", "10.00")
    for message in messages.values():   # WeChat's template rules: short fields, no line breaks
        assert all(len(value) <= 20 and "\n" not in value for value in message.template_fields.values())
    again = by_follower(list(ReminderSource().due_messages(NOW + timedelta(hours=3))))["o-rem-lina"]
    assert set(again) == set(messages)   # the same occasions keep the same keys: the runner sends each once


def test_a_used_up_bucket_gets_the_100_percent_message_with_its_own_key(database_url: str) -> None:
    from sqlalchemy import update

    from bot.backends.sql import models as m
    from bot.backends.sql.database import session_factory

    customer = get_crm().customer_by_mobile(WANG_FANG).customer_id
    with session_factory(database_url).begin() as session:
        session.execute(update(m.UsageRow).where(m.UsageRow.customer_id == customer, m.UsageRow.unit == "MB")
                        .values(used=m.UsageRow.total + 10))
    bind("o-rem-full", WANG_FANG), opt_in("o-rem-full")
    keys = set(by_follower(list(ReminderSource().due_messages(NOW)))["o-rem-full"])
    data_keys = [key for key in keys if key.startswith("data:")]
    assert len(data_keys) == 1 and data_keys[0].endswith(":100")
    assert not any(key.startswith("balance:") for key in keys)   # 王芳's balance is above the threshold


def test_the_low_balance_threshold_is_configurable() -> None:
    bind("o-rem-thr", WANG_FANG), opt_in("o-rem-thr")
    balance = get_billing().balance(get_crm().customer_by_mobile(WANG_FANG).customer_id).amount
    source = ReminderSource(ReminderSettings(low_balance=balance + Decimal("0.01"), data_thresholds=(80, 100)))
    assert any(key.startswith("balance:") for key in by_follower(list(source.due_messages(NOW)))["o-rem-thr"])


def test_reminder_settings_come_from_endpoints_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ReminderSettings.load() == ReminderSettings(Decimal("10"), (80, 100))
    monkeypatch.setenv("BOT_LOW_BALANCE_YUAN", "20.5")
    monkeypatch.setenv("BOT_DATA_THRESHOLDS", "90,75")
    assert ReminderSettings.load() == ReminderSettings(Decimal("20.5"), (75, 90))
    monkeypatch.setenv("BOT_DATA_THRESHOLDS", "0,120")
    with pytest.raises(ValueError):
        ReminderSettings.load()


def test_a_completed_repair_gets_one_survey_to_the_bound_follower_asked_when_sent() -> None:
    bind("o-sv-zw", ZHANG_WEI)
    source = SurveySource()
    first = list(source.due_messages(NOW))
    assert [(m.openid, m.dedupe_key, m.kind, m.response, m.template) for m in first] == [
        ("o-sv-zw", "survey:repair:GZ2026112000045", "survey", "utter_survey_question_repair", None)]
    # seen (a dry run, or skipped for want of a window) is not asked: still due, with the same key, and not counted
    assert not get_surveys().was_asked(REPAIR, "GZ2026112000045") and get_surveys().stats(REPAIR).asked == 0
    assert [m.dedupe_key for m in SurveySource().due_messages(NOW + timedelta(days=3))] == ["survey:repair:GZ2026112000045"]

    sent_at = FIXED_NOW + timedelta(days=3)
    source.on_sent(first[0], sent_at.replace(tzinfo=CHINA))
    survey = get_surveys().latest("o-sv-zw")
    assert (survey.service_kind, survey.service_id, survey.asked_at) == (REPAIR, "GZ2026112000045", sent_at)
    assert list(SurveySource().due_messages(NOW + timedelta(days=3, hours=1))) == []   # asked once: never again
    source.on_sent(first[0], sent_at + timedelta(hours=1))                              # a second runner's send
    assert get_surveys().latest("o-sv-zw").asked_at == sent_at and get_surveys().stats(REPAIR).asked == 1


def test_no_survey_for_a_ticket_without_a_follower_or_already_rated() -> None:
    assert list(SurveySource().due_messages(NOW)) == []          # nobody bound to 张伟 yet
    get_repairs().rate("GZ2026112000045", 5, "很好")
    bind("o-sv-rated", ZHANG_WEI)
    assert list(SurveySource().due_messages(NOW)) == []          # he rated it himself

