"""Mainland China resident ID-card numbers (GB 11643-1999): the checksum digit."""
from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dXx]$")


def check_character(first17: str) -> str:
    """The 18th character that makes `first17` a valid ID-card number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def is_valid_id_card(number: str) -> bool:
    """True for 18 characters whose last one is the correct checksum (X may be lower case)."""
    return bool(_SHAPE.match(number)) and check_character(number[:17]) == number[17].upper()
