"""The channel records each answered message's latency for the console (passive or late), off the turn."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from channels.wechat import service_level
from channels.wechat.channel import WeChatInput
from channels.wechat.settings import settings_from_credentials
from tests.served_channel import ServedChannel
from tests.wechat.test_channel_input import credentials, messages, no_operator_environment, wechat  # noqa: F401


def _rows(path: Path) -> list:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if path.exists():
            with sqlite3.connect(path) as db:
                try:
                    rows = db.execute("select received_at, seconds, delivery from console_reply_latency").fetchall()
                except sqlite3.OperationalError:
                    rows = []
            if rows:
                return rows
        time.sleep(0.2)
    return []


# Late, with the customer-service API unreachable (port 9): the reply never reached the follower, so it is lost.
@pytest.mark.parametrize("turn_seconds, budget, delivery", [(0.0, 4.0, "passive"), (0.6, 0.2, "lost")])
def test_an_answered_message_leaves_one_latency_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    turn_seconds: float, budget: float, delivery: str) -> None:
    path = tmp_path / "console.db"
    monkeypatch.setenv("BOT_CONSOLE_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setattr(service_level, "FLUSH_SECONDS", 0.1)
    before = time.time()
    settings = settings_from_credentials(credentials(mode="compat", reply_budget_seconds=budget))
    with ServedChannel(WeChatInput(settings), turn_seconds=turn_seconds) as served:
        platform = wechat(served, "safe")
        query, body = platform.envelope(messages(platform).text("你好"), "o-follower")
        assert platform.post_raw(query, body).status_code == 200
        rows = _rows(path)
    assert len(rows) == 1
    received_at, seconds, kind = rows[0]
    assert kind == delivery and before - 1 <= received_at <= time.time()
    if delivery == "lost":
        assert seconds is None
    else:
        assert 0 <= seconds < 1
