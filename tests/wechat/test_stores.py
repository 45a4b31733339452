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
