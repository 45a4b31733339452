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


def log_event(logger: logging.Logger, event: str, **fields: Any) -> None:
    """Log `event` with structured fields; strings are redacted by the formatter."""
    logger.info(event, extra=fields)
