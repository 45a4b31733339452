"""The channel records interactions and template results in the back-end database (channels/wechat/outbound_events):
its tests get an empty schema of their own, never the development run's var/backends.db."""
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
