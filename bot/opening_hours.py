"""Is a service hall open now? Its `opening_hours` text ("09:00-21:00") read as service-zone wall-clock.

The hall list tells followers whether a hall is open; judging that on the machine's clock would call a hall
closed at midday in China when the server runs on UTC, so the moment always comes from (or is put into) bot.clock.
"""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Optional, Tuple

from bot import clock

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")


def daily_range(text: str) -> Optional[Tuple[time, time]]:
    """(opens, closes) of a plain daily "HH:MM-HH:MM" text; None for anything else (then no state is shown)."""
    found = _RANGE.match(text or "")
    if not found:
        return None
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        return None
    return time(h1, m1), time.max if h2 == 24 else time(h2, m2)


def is_open(text: str, moment: Optional[datetime] = None) -> Optional[bool]:
    """Open at `moment` (default bot.clock.now(); an aware moment is converted to the service zone), or None."""
    hours = daily_range(text)
    if hours is None:
        return None
    if moment is None:
        moment = clock.now()
    elif moment.tzinfo is not None:
        moment = moment.astimezone(clock.zone()).replace(tzinfo=None)
    opens, closes = hours
    now = moment.time()
    if opens < closes:
        return opens <= now < closes
    return now >= opens or now < closes  # past midnight, e.g. 20:00-02:00
