"""Wrong passwords are rate-limited per account and per address (a sliding window kept in the console database)."""
from __future__ import annotations

import time
from typing import Iterable

from sqlalchemy import delete, func, insert, select

from bot.console import tables as t

WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5          # wrong passwords for one account within the window
PER_ADDRESS = 20         # wrong passwords from one address within the window


class LoginThrottle:
    def __init__(self, console_url: str, per_account: int = PER_ACCOUNT, per_address: int = PER_ADDRESS,
                 window: float = WINDOW_SECONDS) -> None:
        self.engine = t.console_engine(console_url)
        self.limits = {"account": per_account, "address": per_address}
        self.window = window

    @staticmethod
    def _keys(account: str, address: str) -> Iterable[tuple]:
        return (("account", f"account:{account}"), ("address", f"address:{address}"))

    def blocked(self, account: str, address: str) -> bool:
        since = time.time() - self.window
        with self.engine.connect() as conn:
            for kind, key in self._keys(account, address):
                count = conn.execute(select(func.count()).select_from(t.login_failures)
                                     .where(t.login_failures.c.key == key, t.login_failures.c.at >= since)).scalar()
                if count >= self.limits[kind]:
                    return True
        return False

    def failed(self, account: str, address: str) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(delete(t.login_failures).where(t.login_failures.c.at < now - self.window))
            conn.execute(insert(t.login_failures), [{"key": key, "at": now} for _, key in self._keys(account, address)])

    def succeeded(self, account: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.login_failures).where(t.login_failures.c.key == f"account:{account}"))
