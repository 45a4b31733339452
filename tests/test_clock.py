"""Times are China time whatever the machine's zone (issue 10): bot.clock, service hours, hall opening hours."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot import clock, opening_hours
from bot.handoff import HANDOFF_FILE, load_handoff_rules

CHINA = ZoneInfo("Asia/Shanghai")


def china_wall_clock() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None)


def test_now_and_today_are_china_wall_clock_whatever_the_machine_zone(machine_zone: str) -> None:
    before = china_wall_clock()
    now, today = clock.now(), clock.today()
    after = china_wall_clock()
    assert now.tzinfo is None and before <= now <= after
    assert today in (before.date(), after.date())
    assert abs(datetime.now() - now) > timedelta(hours=1)  # the machine's own clock really is elsewhere


def test_the_service_zone_is_configurable(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TIMEZONE", "Europe/Berlin")
    berlin = datetime.now(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    assert clock.zone() == ZoneInfo("Europe/Berlin") and abs(clock.now() - berlin) < timedelta(seconds=5)


def test_service_hours_are_judged_in_china_time(machine_zone: str) -> None:
    hours = load_handoff_rules(HANDOFF_FILE).hours   # 09:00-21:00
    assert not hours.is_open(datetime(2026, 11, 24, 2, 38))                    # naive: China wall-clock
    assert hours.is_open(datetime(2026, 11, 24, 10, 0))
    assert not hours.is_open(datetime(2026, 11, 23, 18, 38, tzinfo=timezone.utc))  # 02:38 in China
    assert hours.is_open(datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc))        # 10:00 in China


@pytest.mark.parametrize("hours, moment, expected", [
    ("09:00-21:00", datetime(2026, 11, 24, 2, 38), False),
    ("09:00-21:00", datetime(2026, 11, 24, 9, 0), True),
    ("09:00-21:00", datetime(2026, 11, 24, 21, 0), False),
    ("10:00-22:00", datetime(2026, 11, 24, 9, 30), False),
    ("09:00-24:00", datetime(2026, 11, 24, 23, 59), True),
    ("20:00-02:00", datetime(2026, 11, 24, 1, 0), True),
    ("09:00-18:00", datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc), True),     # 10:00 in China
    ("09:00-18:00", datetime(2026, 11, 23, 18, 38, tzinfo=timezone.utc), False),  # 02:38 in China
    ("节假日另行通知", datetime(2026, 11, 24, 10, 0), None),
])
def test_a_halls_opening_hours_are_read_in_china_time(hours: str, moment: datetime, expected: object,
                                                      machine_zone: str) -> None:
    assert opening_hours.is_open(hours, moment) is expected


def test_a_hall_is_open_by_default_at_bot_clock_now(monkeypatch: pytest.MonkeyPatch, machine_zone: str) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 2, 38))
    assert opening_hours.is_open("09:00-21:00") is False
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 24, 10, 0))
    assert opening_hours.is_open("09:00-21:00") is True
