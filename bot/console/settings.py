"""Where the console keeps its own data and where it reads the conversations, from Rasa's endpoints.yml.

`console.database_url` (env `BOT_CONSOLE_DATABASE_URL`, default `sqlite:///var/console.db`) holds the day
summaries, the conversation index, reply latencies written by the WeChat channel, operator accounts, sessions
and the audit log. The conversations are read from endpoints.yml's own `tracker_store` (Rasa's SQL store).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from rasa.core.tracker_store import SQLTrackerStore

from bot.settings import _absolute_sqlite, read_endpoints

DEFAULT_CONSOLE_URL = "sqlite:///var/console.db"


@dataclass(frozen=True)
class ConsoleSettings:
    database_url: str      # the console's own tables
    tracker_url: str       # Rasa's SQL tracker store (events table)


def tracker_url(config: Dict[str, Any]) -> str:
    """The SQLAlchemy URL of Rasa's SQL tracker store, built by Rasa's own helper (same defaults as Rasa)."""
    if (config.get("type") or "").lower() not in ("sql", "rasa.core.tracker_store.sqltrackerstore"):
        raise ValueError("the console reads Rasa's SQL tracker store; endpoints.yml's tracker_store is not type SQL")
    url = SQLTrackerStore.get_db_url(
        dialect=config.get("dialect", "sqlite"), host=config.get("url"), port=config.get("port"),
        db=config.get("db", "rasa.db"), username=config.get("username"), password=config.get("password"),
        login_db=config.get("login_db"), query=config.get("query"),
    )
    text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    return _absolute_sqlite(text.split("?")[0]) if text.startswith("sqlite") else text


def _console_url(content: Dict[str, Any]) -> str:
    section = content.get("console") or {}
    return _absolute_sqlite(os.environ.get("BOT_CONSOLE_DATABASE_URL") or section.get("database_url") or DEFAULT_CONSOLE_URL)


def console_database_url(endpoints_file: Optional[Path] = None) -> str:
    """Only the console database's URL (what the WeChat channel needs to record reply latencies)."""
    return _console_url(read_endpoints(endpoints_file))


def load_console_settings(endpoints_file: Optional[Path] = None) -> ConsoleSettings:
    content = read_endpoints(endpoints_file)
    tracker = os.environ.get("BOT_CONSOLE_TRACKER_URL") or tracker_url(content.get("tracker_store") or {"type": "SQL", "db": "var/tracker.db"})
    return ConsoleSettings(database_url=_console_url(content), tracker_url=tracker)


__all__ = ["ConsoleSettings", "console_database_url", "load_console_settings", "tracker_url"]
