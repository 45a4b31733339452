"""Mobile numbers and verification codes as followers type them, in one canonical form.

Followers type full-width digits (１３８…), groups (138 0013 8000, 138-0013-8000) and a country prefix (+86, 0086).
The NLU normaliser (bot.nlu.normalizer) rewrites the message for the Rasa pipeline with the same pattern, but a
`from_text` slot mapping hands the form validators the message as typed, so they normalise the value again here.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

# An 11-digit mainland mobile, optionally after +86/0086, digits optionally grouped by spaces or dashes.
MOBILE_TYPED = re.compile(r"(?<![0-9])(?:\+\s?86|0086)?[\s-]*(1[3-9][0-9](?:[\s-]?[0-9]){8})(?![0-9])")
_SEPARATORS = re.compile(r"[\s-]")
_CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
_DIGITS = re.compile(r"[0-9]")


def canonical(text: str) -> str:
    """NFKC: full-width digits, signs and the ideographic space become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def find_mobile(text: str) -> Optional[str]:
    """The 11 digits of the first mobile number in `text`, or None."""
    found = MOBILE_TYPED.search(canonical(text))
    return _SEPARATORS.sub("", found.group(1)) if found else None


def find_code(text: str) -> Optional[str]:
    """The first 6-digit code in `text` (ASCII digits, whatever width was typed), or None."""
    found = _CODE.search(canonical(text))
    return found.group(0) if found else None


def digit_count(text: str) -> int:
    """How many digits `text` holds (full-width ones included): to say a number has the wrong length."""
    return len(_DIGITS.findall(canonical(text)))
