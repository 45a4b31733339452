"""State shared by every request of the channel: retry de-duplication, signed nonces and tokens.

In-process by default; Redis when `redis_url` is configured, so several bot instances (or Sanic workers)
see the same retries and the same button menus. These stores take an asyncio Redis client (`redis.asyncio`):
a message costs a few Redis round trips, which must not block the event loop nor hop through threads.
"""
from __future__ import annotations

import abc
import asyncio
import heapq
import time
from typing import Dict, List, Optional, Tuple

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


class NonceRegistry(abc.ABC):
    """Each signed (timestamp, nonce) pair opens one message only, for as long as its timestamp is fresh.

    WeChat's `signature` covers only the token, timestamp and nonce, never the body, so anyone who saw one
    request URL (a proxy's access log, a GET verification URL) could post any body under it for the freshness
    window. Here the first request that uses a pair binds it to a fingerprint of its message (the plaintext XML,
    after decryption); a later request with the same pair is admitted only with the same fingerprint.

    Why not "each pair exactly once": WeChat re-sends a message it got no answer for within 5 s, with the same
    XML (same MsgId). Tencent's docs do not say whether a retry carries a new nonce
    (../shared/reference/wechat-protocol.md §4.1, §10.3), and an HTTP client may also re-send the very same
    request. A repeated pair with the identical message is therefore that message again: it is admitted and the
    reply ledger gives it the first request's answer without a second turn. Any other body under a used pair is
    refused. GET verification records its pair too (fingerprint `VERIFY_URL`), so a verification URL can never
    carry a message.
    """

    VERIFY_URL = "verify-url"

    def __init__(self, freshness_seconds: int, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        self._freshness = freshness_seconds
        self._clock = clock

    def seconds_to_keep(self, timestamp: str) -> int:
        """Until the timestamp is stale; after that the freshness check refuses the pair anyway."""
        try:
            return max(1, int(timestamp) + self._freshness - int(self._clock()) + 1)
        except ValueError:
            return self._freshness * 2

    @abc.abstractmethod
    async def admit(self, timestamp: str, nonce: str, fingerprint: str) -> bool:
        """True for the first use of the pair and for a repeat with the same fingerprint."""


class MemoryNonceRegistry(NonceRegistry):
    def __init__(self, freshness_seconds: int, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        super().__init__(freshness_seconds, clock)
        self._seen: Dict[Tuple[str, str], Tuple[float, str]] = {}
        self._expiries: List[Tuple[float, Tuple[str, str]]] = []   # heap, so expiry costs O(log n) per request

    def _expire(self) -> None:
        now = self._clock()
        while self._expiries and self._expiries[0][0] <= now:
            _, pair = heapq.heappop(self._expiries)
            entry = self._seen.get(pair)
            if entry is not None and entry[0] <= now:
                del self._seen[pair]

    async def admit(self, timestamp: str, nonce: str, fingerprint: str) -> bool:
        self._expire()
        pair = (timestamp, nonce)
        entry = self._seen.get(pair)
        if entry is not None:
            return entry[1] == fingerprint
        expires = self._clock() + self.seconds_to_keep(timestamp)
        self._seen[pair] = (expires, fingerprint)
        heapq.heappush(self._expiries, (expires, pair))
        return True


class RedisNonceRegistry(NonceRegistry):
    """SET NX with expiry, so every worker and instance sees a pair's first use."""

    def __init__(self, redis_client, freshness_seconds: int, clock=time.time,  # type: ignore[no-untyped-def]
                 prefix: str = "wechat:nonce:") -> None:
        super().__init__(freshness_seconds, clock)
        self._redis = redis_client
        self._prefix = prefix

    async def admit(self, timestamp: str, nonce: str, fingerprint: str) -> bool:
        key = f"{self._prefix}{timestamp}:{nonce}"
        if await self._redis.set(key, fingerprint, nx=True, ex=self.seconds_to_keep(timestamp)):
            return True
        stored = await self._redis.get(key)
        if stored is None:  # expired between the two calls: the timestamp is stale by now, refuse
            return False
        return (stored.decode("utf-8") if isinstance(stored, bytes) else stored) == fingerprint


def redis_client(url: str):  # type: ignore[no-untyped-def]
    """An asyncio Redis client; it connects lazily, inside whichever event loop (and worker process) uses it."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(url)
