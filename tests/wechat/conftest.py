"""The channel's own stores in each test's folder, never the development run's var/: the back-end database where
it records interactions and template results (channels/wechat/outbound_events) and the inbound journal."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot import backends
from bot.backends.sql.database import create_schema


@pytest.fixture(autouse=True)
def _own_backend_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'channel-backends.db'}"
    create_schema(url)
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    backends.reset_backends()


@pytest.fixture(autouse=True)
def own_inbound_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'wechat-inbound.db'}"
    monkeypatch.setenv("WECHAT_INBOUND_JOURNAL_URL", url)
    return url
