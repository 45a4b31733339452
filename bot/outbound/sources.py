"""Outbound sources by name, for `python -m bot notify run <name>` and the schedule (cron) calling it.

Each entry is "module:Class"; the class is constructed without arguments and answers `due_messages(now)`
(bot.outbound.message.OutboundSource). A source may also have `after_campaign(records)` to settle its own
bookkeeping once the run is over (restore notices clear the requests they answered), and `on_sent(message, at)`
to record each message WeChat accepted as it goes (surveys count as asked from then; never in a dry run).
"""
from __future__ import annotations

from typing import Any, Dict

SOURCES: Dict[str, str] = {
    "outage-notices": "bot.outbound.notices:OutageNoticeSource",
    "restore-notices": "bot.outbound.notices:RestoreNoticeSource",
    # usage and bill reminders for followers who opted in; satisfaction surveys after completed repairs
    "reminders": "bot.engagement.reminders:ReminderSource",
    "surveys": "bot.engagement.surveys:SurveySource",
}


class UnknownSource(KeyError):
    pass


def load_source(name: str, **kwargs: Any) -> Any:
    """Build the registered source `name` (kwargs only for sources that take them, e.g. an outage id)."""
    if name not in SOURCES:
        raise UnknownSource(f"unknown source {name!r}; known: {', '.join(sorted(SOURCES))}")
    from bot.backends import load_class

    return load_class(SOURCES[name])(**kwargs)
