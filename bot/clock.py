"""The one "now" of the bot: China wall-clock time, whatever the machine's own zone is.

Followers read every time the bot mentions (lockouts, restore times, visits, flights, service hours) as China
time, and the stored naive datetimes are that wall-clock too. `BOT_TIMEZONE` names another IANA zone for a
deployment elsewhere. Tests pin `now` here to the demo data's seeding time; `today` follows it.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    """The service zone (`BOT_TIMEZONE`, default Asia/Shanghai); read each call so tests and operators can set it."""
    return ZoneInfo(os.environ.get("BOT_TIMEZONE") or DEFAULT_TIMEZONE)


def now() -> datetime:
    """The current wall-clock time in the service zone, naive (as the database stores it)."""
    return datetime.now(zone()).replace(tzinfo=None)


def today() -> date:
    """The current date in the service zone (follows a pinned `now`)."""
    return now().date()


def aware(moment: datetime) -> datetime:
    """`moment` with its zone: naive datetimes from `now()` are service-zone wall-clock, not the machine's."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone())
