"""WeChat's template-message rules since May 2023, checked before sending: a message that breaks them is not
sent (WeChat would cut or drop it silently, or answer 47003) and the delivery records why."""
from __future__ import annotations

import re
from typing import Any, List, Mapping

MAX_FIELD_CHARS = 20
DROPPED_FIELDS = ("first", "remark")      # no longer shown; sending them hides part of the notice
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U00002B00-\U00002BFF\U0001F1E6-\U0001F1FF\uFE0F\u200D\u20E3]"
)


def violations(body: Mapping[str, Any]) -> List[str]:
    """What is wrong with a template/send body, one short reason per problem (empty: it may be sent)."""
    problems: List[str] = []
    if "color" in body or "topcolor" in body:
        problems.append("colour")
    data = body.get("data") or {}
    if not data:
        problems.append("no fields")
    for name, entry in data.items():
        if name in DROPPED_FIELDS:
            problems.append(f"{name} field")
        value = str((entry or {}).get("value", ""))
        if "color" in (entry or {}):
            problems.append(f"{name}: colour")
        if not value.strip():
            problems.append(f"{name}: empty")
        if len(value) > MAX_FIELD_CHARS:
            problems.append(f"{name}: {len(value)} characters > {MAX_FIELD_CHARS}")
        if "\n" in value or "\r" in value:
            problems.append(f"{name}: line break")
        if _EMOJI.search(value):
            problems.append(f"{name}: emoji")
    return problems
