"""Personal numbers in a follower's message replaced by synthetic ones before it becomes training data.

The replacement keeps each number's shape (so the entity regexes still fire and the example teaches the same
thing) and is derived from a hash of the real number: the same message always gives the same example, and no
real number reaches `data/`.
"""
from __future__ import annotations

import hashlib
import re

from bot.id_card import check_character
from bot.privacy import ETICKET_IN_TEXT, ID_CARD_IN_TEXT, MOBILE_IN_TEXT, TICKET_IN_TEXT

_CODE = re.compile(r"(?<![0-9A-Za-z])\d{6}(?![0-9])")


def _digits(seed: str, count: int) -> str:
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    return "".join(str(int(char, 16) % 10) for char in digest)[:count]


def _id_card(match: re.Match) -> str:
    first17 = "110101" + "19900101" + _digits(match.group(0), 3)   # a birth date and area that exist
    return first17 + check_character(first17)


def _ticket(match: re.Match) -> str:
    return match.group(0)[:2].upper() + "20260101" + _digits(match.group(0), 5)


def _eticket(match: re.Match) -> str:
    return "784" + _digits(match.group(0), 10)


def _mobile(match: re.Match) -> str:
    return match.group(0)[:2] + _digits(match.group(0), 9)


def _code(match: re.Match) -> str:
    return _digits(match.group(0), 6)


def synthesize(text: str) -> str:
    """`text` with ID-card, ticket, e-ticket, mobile numbers and 6-digit codes replaced (longest shapes first)."""
    for pattern, replace in ((ID_CARD_IN_TEXT, _id_card), (TICKET_IN_TEXT, _ticket), (ETICKET_IN_TEXT, _eticket),
                             (MOBILE_IN_TEXT, _mobile), (_CODE, _code)):
        text = pattern.sub(replace, text)
    return text
