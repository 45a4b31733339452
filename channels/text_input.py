"""What a follower typed, made fit for NLU: invisible characters removed and the length capped.

Shared by the WeChat and the REST channel, so both hand Rasa the same kind of text. Invisible characters
(control characters other than newline and tab, DEL, C1 controls, and Unicode format characters such as
zero-width spaces, joiners, bidi marks and the BOM) carry no meaning for NLU and used to make a turn fail
silently; very long messages cost the bot seconds of NLU time per turn, so only the first `max_chars` reach it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

DEFAULT_MAX_MESSAGE_CHARS = 300
_KEPT_CONTROLS = frozenset("\n\t")
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf"))   # controls and format characters (ZWSP, ZWJ, LRM, BOM, …)


def clean_text(text: str) -> str:
    """Line breaks made `\\n`; every other control or format character dropped (surrounding text kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return "".join(ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


@dataclass(frozen=True)
class CappedText:
    text: str
    cut: bool               # True when the original was longer than the cap
    original_chars: int


def cap_text(text: str, max_chars: int) -> CappedText:
    """The first `max_chars` characters; `cut` says whether the follower must be told the rest was not read."""
    if len(text) <= max_chars:
        return CappedText(text, False, len(text))
    return CappedText(text[:max_chars].rstrip(), True, len(text))


def read_max_chars(value: object, where: str) -> int:
    """`max_message_chars` from a channel's credentials; a non-positive or non-numeric value stops start-up."""
    if value in (None, ""):
        return DEFAULT_MAX_MESSAGE_CHARS
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or isinstance(value, bool):
        raise ValueError(f"{where}: max_message_chars must be a positive whole number, got {value!r}")
    return number
