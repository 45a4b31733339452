"""Structured (key=value / JSON) logging that never writes a full phone or ID-card number."""
from __future__ import annotations

import json
import logging
from typing import Any

from bot.privacy import redact


class RedactingJsonFormatter(logging.Formatter):
    """One JSON object per line; message and extra fields pass through `redact`."""

    _STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "event": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD:
                payload[key] = redact(value) if isinstance(value, str) else value
        return json.dumps(payload, ensure_ascii=False, default=str)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


def install_redacting_handler(level: int = logging.INFO) -> None:
    """Attach the JSON formatter to the root logger once (CLI and action server call this)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, RedactingJsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingJsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `event` with key=value fields in the message (readable under Rasa's own log format) and as
    structured extras (for the JSON formatter); phone and ID-card numbers are masked either way."""
    if not logger.isEnabledFor(level):
        return
    text = " ".join([event] + [f"{key}={value}" for key, value in fields.items()])
    logger.log(level, redact(text), extra={key: redact(v) if isinstance(v, str) else v for key, v in fields.items()})
