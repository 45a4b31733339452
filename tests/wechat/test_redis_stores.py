"""Several bot instances share retries, button menus and the access token through Redis."""
import asyncio

import fakeredis

from channels.wechat.stores import RedisReplyLedger


def test_a_retry_on_another_instance_waits_for_the_first_instances_reply() -> None:
    server = fakeredis.FakeServer()
    instance_a = RedisReplyLedger(fakeredis.FakeAsyncRedis(server=server), ttl_seconds=60)
    instance_b = RedisReplyLedger(fakeredis.FakeAsyncRedis(server=server), ttl_seconds=60)

    async def scenario():
        assert await instance_a.claim("m|gh|1") is True
        assert await instance_b.claim("m|gh|1") is False
        waiting = asyncio.ensure_future(instance_b.wait("m|gh|1", 2.0))
        await asyncio.sleep(0.1)
        await instance_a.settle("m|gh|1", "<xml>reply</xml>")
        return await waiting

    assert asyncio.run(scenario()) == "<xml>reply</xml>"


def test_a_retry_without_a_settled_reply_gives_up_at_its_budget() -> None:
    ledger = RedisReplyLedger(fakeredis.FakeAsyncRedis(), ttl_seconds=60)

    async def scenario():
        await ledger.claim("k")
        return await ledger.wait("k", 0.1)

    assert asyncio.run(scenario()) is None


def test_an_empty_settled_reply_is_distinguished_from_pending() -> None:
    ledger = RedisReplyLedger(fakeredis.FakeAsyncRedis(), ttl_seconds=60)

    async def scenario():
        await ledger.claim("k")
        await ledger.settle("k", "")
        return await ledger.wait("k", 0.1)

    assert asyncio.run(scenario()) == ""


def test_instances_share_one_access_token(tmp_path) -> None:
    from wechatpy.session.redisstorage import RedisStorage

    from bot.wechat_sim.api import FakeWeChatApi
    from channels.wechat.customer_service import CustomerServiceSender
    from channels.wechat.settings import WeChatSettings

    api = FakeWeChatApi("wxapp", "secret").start()
    try:
        api.state.record_interaction("o-1", "message")
        server = fakeredis.FakeServer()
        settings = WeChatSettings("t", "wxapp", "secret", None, None, api.base_url)
        senders = [CustomerServiceSender(settings, RedisStorage(fakeredis.FakeRedis(server=server), prefix="wechat:token"))
                   for _ in range(2)]
        for sender in senders * 2:
            assert sender.send_all([{"touser": "o-1", "msgtype": "text", "text": {"content": "hi"}}]).sent == 1
        assert api.state.counters["token"] == 1
    finally:
        api.stop()


def test_a_nonce_used_on_one_instance_cannot_carry_another_message_on_the_other() -> None:
    from channels.wechat.stores import RedisNonceRegistry

    server = fakeredis.FakeServer()
    clock = lambda: 1000.0  # noqa: E731
    instance_a = RedisNonceRegistry(fakeredis.FakeAsyncRedis(server=server), 300, clock=clock)
    instance_b = RedisNonceRegistry(fakeredis.FakeAsyncRedis(server=server), 300, clock=clock)

    async def scenario():
        first = await instance_a.admit("1000", "n1", "message-a")
        retry = await instance_b.admit("1000", "n1", "message-a")
        forged = await instance_b.admit("1000", "n1", "message-b")
        ttl = await fakeredis.FakeAsyncRedis(server=server).ttl("wechat:nonce:1000:n1")
        return first, retry, forged, ttl

    first, retry, forged, ttl = asyncio.run(scenario())
    assert (first, retry, forged) == (True, True, False)
    assert 290 <= ttl <= 301  # kept until the timestamp is stale, not for ever
