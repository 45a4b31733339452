"""Structured key=value log lines that never carry a full phone or ID-card number.

Our lines go through Rasa's and rasa-sdk's own logging set-up, so they stay plain text there; every field is
`key=value` after the event name, which log shippers parse without a custom format.
"""
from __future__ import annotations

import logging
from typing import Any

from bot.privacy import redact


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `event key=value …`; phone and ID-card numbers in any field are masked first."""
    if not logger.isEnabledFor(level):
        return
    text = " ".join([event] + [f"{key}={value}" for key, value in fields.items()])
    logger.log(level, redact(text))
