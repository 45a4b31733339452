"""Shared fixtures: a freshly seeded SQLite back end per test module, reached through the real factory."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest

from bot import backends
from bot.demo.seed import seed

FIXED_NOW = datetime(2026, 11, 23, 10, 0, 0)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "backends.db"
    url = f"sqlite:///{path}"
    seed(url, now=lambda: FIXED_NOW)
    return url


@pytest.fixture()
def configured_backends(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point `bot.backends.get_crm/get_billing` at the seeded test database, as an operator would by env."""
    monkeypatch.setenv("BOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_SMS_INBOX", database_url[len("sqlite:///"):] + ".sms.jsonl")
    backends.reset_backends()
    yield database_url
    backends.reset_backends()
