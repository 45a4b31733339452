"""The back ends stamp and compute times in China time, on a machine whose own zone is elsewhere (issue 10)."""
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import clock
from bot.backends.diagnostics import AREA_OUTAGE
from bot.backends.sms import DevInboxSmsGateway
from bot.backends.sql import models as m
from bot.backends.sql.billing import SqlBilling
from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.database import session_factory
from bot.backends.sql.diagnostics import StubLineDiagnostics
from bot.cycles import next_cycle_start
from bot.demo.seed import seed

LATE_NIGHT = datetime(2026, 11, 24, 2, 38)   # China time; 18:38 the day before in UTC


def china_wall_clock() -> datetime:
    return datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


@pytest.fixture()
def late_night(monkeypatch: pytest.MonkeyPatch, machine_zone: str) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: LATE_NIGHT)
    return LATE_NIGHT


def test_outage_restore_time_is_china_time(machine_zone: str, database_url: str) -> None:
    line = SqlCrm(database_url).broadband_line_by_account("02000000006")
    assert line is not None and line.diagnosis == AREA_OUTAGE
    before = china_wall_clock()
    restore = StubLineDiagnostics(database_url).diagnose(line).restore_at
    after = china_wall_clock()
    hour = lambda moment: (moment + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)  # noqa: E731
    assert restore in (hour(before), hour(after))


def test_outage_restore_time_follows_the_bot_clock(late_night: datetime, database_url: str) -> None:
    line = SqlCrm(database_url).broadband_line_by_account("02000000006")
    assert StubLineDiagnostics(database_url).diagnose(line).restore_at == datetime(2026, 11, 24, 5, 0)


def test_billing_today_is_the_china_date(machine_zone: str, monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    with session_factory(database_url)() as session:
        billing_day = session.get(m.CustomerRow, 1).billing_day
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 3, billing_day, 2, 38))   # still the day before in UTC
    resets_on = SqlBilling(database_url).usage(1)[0].resets_on
    assert resets_on == next_cycle_start(date(2030, 3, billing_day), billing_day) == date(2030, 4, billing_day)


def test_binding_and_call_back_are_stamped_in_china_time(late_night: datetime, database_url: str) -> None:
    crm = SqlCrm(database_url)
    crm.bind_openid("o-china-time", 1)
    request_id = crm.request_callback("o-china-time", "13800138000")
    with session_factory(database_url)() as session:
        assert session.get(m.WeChatBindingRow, "o-china-time").bound_at == LATE_NIGHT
        assert session.get(m.CallbackRequestRow, request_id).created_at == LATE_NIGHT


def test_sms_inbox_time_is_china_time(late_night: datetime, tmp_path: Path) -> None:
    inbox = DevInboxSmsGateway(tmp_path / "sms.jsonl")
    inbox.send("13800138000", "test")
    assert inbox.messages()[0]["at"] == "2026-11-24T02:38:00"


def test_seeding_times_flights_and_check_ins_in_china_time(machine_zone: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/seed.db"
    before = china_wall_clock().replace(second=0, microsecond=0)
    seed(url)
    after = china_wall_clock()
    with session_factory(url)() as session:
        departure = session.get(m.FlightRow, 1).departure   # CZ3101, 5 hours after seeding
        seated = select(m.BookingRow.checked_in_at).where(m.BookingRow.seat_no == "33A")   # 李娜 on CZ3101
        checked_in = session.execute(seated).scalar_one()
    assert before + timedelta(hours=5) <= departure <= after + timedelta(hours=5)
    assert before <= checked_in <= after
