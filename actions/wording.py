"""Parts of a reply (one line per bill, a date, a flight) worded in the domain, not in Python.

A reply that lists records (bills, data buckets, tickets, halls, flights) is one domain response with a `{lines}`
value; each line is itself a domain response named `utter_part_*`, filled here from the domain Rasa sends with
every action call. So a conversation designer changes any word of a reply in `domain/`, including list lines,
dates and status words.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable, Text

from rasa_sdk.types import DomainDict

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def phrase(domain: DomainDict, response: Text, **values: Any) -> Text:
    """The first text variant of a domain response, filled with `values` the way Rasa fills `{name}`."""
    variants = (domain.get("responses") or {}).get(response) or []
    template = next((v.get("text") or "" for v in variants if not v.get("channel")), "")
    if not template:
        raise KeyError(f"domain response {response} has no text")  # a renamed part must fail loudly in the tests
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def listed(domain: DomainDict, response: Text, rows: Iterable[dict]) -> Text:
    """One `response` line per row, joined with line breaks."""
    return "\n".join(phrase(domain, response, **row) for row in rows)


def day_text(domain: DomainDict, day: date) -> Text:
    return phrase(domain, "utter_part_date", year=day.year, month=day.month, day=day.day)


def time_text(domain: DomainDict, moment: datetime) -> Text:
    """A follower-facing moment (already in China time): month, day and clock time."""
    return phrase(domain, "utter_part_datetime", month=moment.month, day=moment.day, time=f"{moment:%H:%M}")


def month_text(domain: DomainDict, month: Text) -> Text:
    """A billing month "YYYY-MM" as the follower reads it."""
    year, number = month.split("-")
    return phrase(domain, "utter_part_month", year=year, month=int(number))
