"""State shared by every request of the channel: retry de-duplication and tokens.

In-process by default; Redis when `redis_url` is configured, so several bot instances (or Sanic workers)
see the same retries and the same button menus. These stores take an asyncio Redis client (`redis.asyncio`):
a message costs a few Redis round trips, which must not block the event loop nor hop through threads.
"""
from __future__ import annotations

import abc
import asyncio
import time
from typing import Dict, Optional, Tuple

PENDING = "\x00pending"


class ReplyLedger(abc.ABC):
    """Retry de-duplication: the first request for a key owns the turn; retries wait for its reply."""

    @abc.abstractmethod
    async def claim(self, key: str) -> bool:
        """True when this request is the first for `key` and must run the turn."""

    @abc.abstractmethod
    async def settle(self, key: str, reply_xml: str) -> None:
        """Record the plaintext reply ("" when the answer goes out later by customer-service API)."""

    @abc.abstractmethod
    async def wait(self, key: str, timeout: float) -> Optional[str]:
        """The settled reply, or None if it is not settled within `timeout` seconds."""


class MemoryReplyLedger(ReplyLedger):
    def __init__(self, ttl_seconds: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: Dict[str, Tuple[float, asyncio.Future]] = {}

    def _expire(self) -> None:
        now = self._clock()
        for key in [k for k, (expires, _) in self._entries.items() if expires < now]:
            del self._entries[key]

    async def claim(self, key: str) -> bool:
        self._expire()
        if key in self._entries:
            return False
        self._entries[key] = (self._clock() + self._ttl, asyncio.get_running_loop().create_future())
        return True

    async def settle(self, key: str, reply_xml: str) -> None:
        entry = self._entries.get(key)
        if entry and not entry[1].done():
            entry[1].set_result(reply_xml)

    async def wait(self, key: str, timeout: float) -> Optional[str]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(entry[1]), max(timeout, 0))
        except asyncio.TimeoutError:
            return None


class RedisReplyLedger(ReplyLedger):
    POLL_SECONDS = 0.05

    def __init__(self, redis_client, ttl_seconds: int, prefix: str = "wechat:reply:") -> None:  # type: ignore[no-untyped-def]
        self._redis = redis_client
        self._ttl = ttl_seconds
        self._prefix = prefix

    async def claim(self, key: str) -> bool:
        return bool(await self._redis.set(self._prefix + key, PENDING, nx=True, ex=self._ttl))

    async def settle(self, key: str, reply_xml: str) -> None:
        await self._redis.set(self._prefix + key, reply_xml, ex=self._ttl)

    async def wait(self, key: str, timeout: float) -> Optional[str]:
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            value = await self._redis.get(self._prefix + key)
            if value is None:
                return None
            text = value.decode("utf-8") if isinstance(value, bytes) else value
            if text != PENDING:
                return text
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(self.POLL_SECONDS)


def redis_client(url: str):  # type: ignore[no-untyped-def]
    """An asyncio Redis client; it connects lazily, inside whichever event loop (and worker process) uses it."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(url)
