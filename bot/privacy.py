"""Masking of personal numbers for replies and logs (phone 138****8000, ID card 4401**********1234)."""
from __future__ import annotations

import re

# Mobile and ID-card numbers inside free text (also what the trainers' inbox replaces by synthetic ones).
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_CARD_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")


def mask_mobile(mobile: str) -> str:
    """Keep the first three and last four digits of an 11-digit number."""
    if len(mobile) != 11:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id_card(id_card: str) -> str:
    """Keep the first four and last four characters of an 18-character ID-card number."""
    if len(id_card) != 18:
        return "*" * len(id_card)
    return f"{id_card[:4]}{'*' * 10}{id_card[-4:]}"


def mask_name(name: str) -> str:
    """Show only the surname: 张** for 张三丰."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def redact(text: str) -> str:
    """Mask every mobile and ID-card number inside free text before it reaches a log line."""
    text = ID_CARD_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 10}{m.group(2)}", text)
    return MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)

# Repair-ticket numbers (GZ2026112200031) and 13-digit e-ticket numbers (784-2100000001): the one definition of
# their shapes, masked in the console's transcripts and replaced by synthetic ones in the trainers' inbox.
TICKET_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2}\d{4})\d{5}(\d{4})(?!\d)")
ETICKET_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{3})-?\d{6}(\d{4})(?!\d)")


def redact_for_review(text: str) -> str:
    """`redact`, and repair-ticket and e-ticket numbers masked too: what an operator reviewing a transcript sees."""
    text = TICKET_IN_TEXT.sub(lambda m: f"{m.group(1)}*****{m.group(2)}", text)
    text = ETICKET_IN_TEXT.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return redact(text)
