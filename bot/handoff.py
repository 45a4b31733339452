"""Human-handoff rules from data/handoff.yml: the keywords that always reach a person, and service hours."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

from bot import clock
from bot.settings import PROJECT_ROOT

HANDOFF_FILE = PROJECT_ROOT / "data" / "handoff.yml"


@dataclass(frozen=True)
class ServiceHours:
    timezone: ZoneInfo
    opens: time
    closes: time
    weekdays: Tuple[int, ...]

    def is_open(self, moment: datetime) -> bool:
        """Judged in the hours' own zone; a naive moment is service-zone wall-clock (bot.clock), never the machine's."""
        local = clock.aware(moment).astimezone(self.timezone)
        return local.isoweekday() in self.weekdays and self.opens <= local.time() < self.closes

    def label(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


# Why a conversation reached a person (recorded with the handoff, counted by the operations console).
REASON_ASKED, REASON_COMPLAINT, REASON_KEYWORD, REASON_MISUNDERSTOOD, REASON_OUT_OF_HOURS = (
    "asked", "complaint", "keyword", "misunderstood", "out_of_hours")
HANDOFF_REASONS: Tuple[str, ...] = (REASON_ASKED, REASON_COMPLAINT, REASON_KEYWORD, REASON_MISUNDERSTOOD, REASON_OUT_OF_HOURS)


@dataclass(frozen=True)
class HandoffRules:
    keywords: Tuple[str, ...]
    hours: ServiceHours
    negations: Tuple[str, ...] = ()
    always: Tuple[str, ...] = ()   # keywords no flow answer overrides (a complaint); the others are judged in context
    complaints: Tuple[str, ...] = ()   # keywords the operations console counts as complaints (handoff reason)

    def reason(self, text: str, after_offer: bool, out_of_hours: bool) -> str:
        """Why a message goes to a person (the console's handoff reasons): out of hours (a call-back offered),
        accepting the person offered after misunderstandings, a complaint keyword, another must-reach-a-person
        keyword, or simply asking for one (a menu button, 「转人工」)."""
        if out_of_hours:
            return REASON_OUT_OF_HOURS
        if after_offer:
            return REASON_MISUNDERSTOOD
        keyword = None if text.startswith("/") else self.keyword_in(text)
        if keyword is None or keyword in self.always and keyword not in self.complaints:
            return REASON_ASKED
        return REASON_COMPLAINT if keyword in self.complaints else REASON_KEYWORD

    def keyword_in(self, text: str) -> Optional[str]:
        """The first keyword the text asks for; a keyword right after a negation ("不用转人工") does not count."""
        text = text or ""
        for keyword in self.keywords:
            start = text.find(keyword)
            while start >= 0:
                if not any(text[:start].rstrip().endswith(negation) for negation in self.negations):
                    return keyword
                start = text.find(keyword, start + 1)
        return None


def _clock(value: str) -> time:
    if value == "24:00":
        return time.max
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=None)
def load_handoff_rules(path: Optional[Path] = None) -> HandoffRules:
    """The rules in data/handoff.yml, or in the file BOT_HANDOFF_RULES names (tests, staging)."""
    path = path or Path(os.environ.get("BOT_HANDOFF_RULES") or HANDOFF_FILE)
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    hours = raw["service_hours"]
    zone = ZoneInfo(hours["timezone"]) if hours.get("timezone") else clock.zone()
    return HandoffRules(
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        negations=tuple(str(n) for n in raw.get("negations") or ()),
        always=tuple(str(k) for k in raw.get("always") or ()),
        complaints=tuple(str(k) for k in raw.get("complaints") or ()),
        hours=ServiceHours(zone, _clock(hours["open"]), _clock(hours["close"]), tuple(hours.get("weekdays") or range(1, 8))),
    )
