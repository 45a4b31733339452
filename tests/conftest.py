"""Shared fixtures: a freshly seeded SQLite back end per test module, reached through the real factory."""
from __future__ import annotations

import os
import secrets
import time
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest

from bot import backends
from bot.demo.seed import seed

FIXED_NOW = datetime(2026, 11, 23, 10, 0, 0)


@pytest.fixture(scope="session", autouse=True)
def console_database_outside_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The WeChat channel records reply latencies in the console database: tests (and the bots they start) write
    to a throwaway one, never to the project's var/console.db."""
    if os.environ.get("BOT_CONSOLE_DATABASE_URL"):
        yield
        return
    os.environ["BOT_CONSOLE_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}"
    try:
        yield
    finally:
        os.environ.pop("BOT_CONSOLE_DATABASE_URL", None)
MACHINE_ZONES = ["UTC", "America/Los_Angeles"]   # servers whose own clock is not China's


@pytest.fixture(params=MACHINE_ZONES)
def machine_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's local zone (TZ) set away from China for one test, then restored: the bot must not care."""
    monkeypatch.delenv("BOT_TIMEZONE", raising=False)
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


# The back-end and action tests run on SQLite, and on PostgreSQL too when the test command provides one
# (scripts/test.sh starts a throwaway cluster when the machine has a PostgreSQL server).
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("BOT_TEST_POSTGRES_URL") else [])


@pytest.fixture(scope="module", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        url = os.environ["BOT_TEST_POSTGRES_URL"]
        seed(url, reset=True, now=lambda: FIXED_NOW)
        return url
    path: Path = tmp_path_factory.mktemp("db") / "backends.db"
    url = f"sqlite:///{path}"
    seed(url, now=lambda: FIXED_NOW)
    return url


@pytest.fixture()
def configured_backends(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Point `bot.backends.get_crm/get_billing` at the seeded test database, as an operator would by env."""
    monkeypatch.setenv("BOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_SMS_INBOX", str(tmp_path / "sms.jsonl"))
    # A fresh code secret per test: binding limits and lockouts are kept per keyed hash of the number and the
    # follower, so each test starts with none used up, as it starts with an empty SMS inbox.
    monkeypatch.setenv("BOT_CODE_SECRET", secrets.token_hex(16))
    backends.reset_backends()
    yield database_url
    backends.reset_backends()
