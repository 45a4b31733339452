import asyncio

from channels.wechat.stores import MemoryReplyLedger


def test_only_the_first_request_for_a_key_owns_the_turn_and_retries_get_its_reply() -> None:
    async def scenario():
        ledger = MemoryReplyLedger(ttl_seconds=60)
        assert await ledger.claim("k") is True
        assert await ledger.claim("k") is False
        waiter = asyncio.ensure_future(ledger.wait("k", 1.0))
        await asyncio.sleep(0.01)
        await ledger.settle("k", "<xml/>")
        return await waiter, await ledger.wait("k", 0)

    assert asyncio.run(scenario()) == ("<xml/>", "<xml/>")


def test_a_retry_gives_up_waiting_at_its_budget() -> None:
    async def scenario():
        ledger = MemoryReplyLedger(ttl_seconds=60)
        await ledger.claim("k")
        return await ledger.wait("k", 0.05)

    assert asyncio.run(scenario()) is None


def test_keys_expire_after_their_ttl() -> None:
    now = [0.0]

    async def scenario():
        ledger = MemoryReplyLedger(ttl_seconds=10, clock=lambda: now[0])
        await ledger.claim("k")
        now[0] = 11.0
        return await ledger.claim("k")

    assert asyncio.run(scenario()) is True


def test_a_signed_nonce_opens_one_message_and_its_repeats_only() -> None:
    from channels.wechat.stores import MemoryNonceRegistry

    async def scenario():
        nonces = MemoryNonceRegistry(freshness_seconds=300, clock=lambda: 1000.0)
        return [await nonces.admit("1000", "n1", "message-a"), await nonces.admit("1000", "n1", "message-a"),
                await nonces.admit("1000", "n1", "message-b"), await nonces.admit("1000", "n2", "message-b"),
                await nonces.admit("1001", "n1", "message-b")]

    assert asyncio.run(scenario()) == [True, True, False, True, True]


def test_a_nonce_is_forgotten_only_once_its_timestamp_is_stale() -> None:
    from channels.wechat.stores import MemoryNonceRegistry

    now = [1000.0]

    async def scenario():
        nonces = MemoryNonceRegistry(freshness_seconds=300, clock=lambda: now[0])
        await nonces.admit("1000", "n1", "message-a")
        now[0] = 1299.0  # still fresh (±300 s): still bound to message-a
        still_bound = await nonces.admit("1000", "n1", "message-b")
        now[0] = 1302.0  # stale: the guard refuses the timestamp itself, and the registry may forget the pair
        forgotten = await nonces.admit("1000", "n1", "message-b")
        return still_bound, forgotten, len(nonces._seen)

    assert asyncio.run(scenario()) == (False, True, 1)
