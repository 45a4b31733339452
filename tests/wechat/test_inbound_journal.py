"""The inbound journal (issue 12, item 3): a message whose turn was running when Rasa died is answered after the
restart exactly once — by a replay (customer-service message) or by WeChat's retry of it — and nothing of it
lingers once answered or once the follower unsubscribes."""
from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Iterator, List, Optional

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import clock
from bot.wechat_sim.api import FakeWeChatApi
from bot.wechat_sim.messages import MessageFactory
from bot.wechat_sim.platform import AccountConfig, WeChatPlatform
from channels.wechat.channel import INBOUND_JOURNAL, WeChatInput, turn_id
from channels.wechat.content import load_content
from channels.wechat.inbound import read_inbound
from channels.wechat.journal import BUSY, ENTRIES, FINISHED, NEW, RESUMED, InboundJournal, JournalEntry
from channels.wechat.settings import settings_from_credentials
from tests.served_channel import ServedChannel

TOKEN, APP_ID, SECRET, AES_KEY = "unit-token", "wx0000000000unit01", "secret", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def entry(key: str = "m|gh|1", openid: str = "o-1", text: str = "查话费 13800138000", received_at: float = 0.0) -> JournalEntry:
    return JournalEntry(key, openid, "gh", key.rsplit("|", 1)[-1], text, {"wechat": {"msg_id": "1"}}, False, received_at)


def rows(journal: InboundJournal) -> List[dict]:
    with journal._engine.connect() as connection:
        return [dict(r) for r in connection.execute(ENTRIES.select()).mappings()]


# -- the journal --------------------------------------------------------------------------------------
def test_an_entry_is_owned_by_one_process_until_its_lease_runs_out(own_inbound_journal: str) -> None:
    clock = Clock()
    first, second = InboundJournal(own_inbound_journal, 20, clock=clock), InboundJournal(own_inbound_journal, 20, clock=clock)
    assert first.admit(entry(received_at=clock.now)) == NEW
    assert second.admit(entry()) == BUSY              # a retry elsewhere while the owner lives: no second turn
    assert second.replayable(3600) == []
    clock.now += 21                                   # the owner died: no renewal
    assert [e.text for e in second.replayable(3600)] == ["查话费 13800138000"]
    assert second.admit(entry()) == RESUMED           # a retry after the restart takes the same work over
    assert first.claim("m|gh|1") is False and first.admit(entry()) == BUSY
    second.finish("m|gh|1")
    assert first.admit(entry()) == FINISHED and first.claim("m|gh|1") is False
    assert rows(first)[0]["text"] is None and rows(first)[0]["metadata"] is None   # the words go at once


def test_a_live_owner_keeps_its_entries_by_renewing_the_lease(own_inbound_journal: str) -> None:
    owner, other = InboundJournal(own_inbound_journal, 0.6), InboundJournal(own_inbound_journal, 0.6)
    assert owner.admit(entry()) == NEW
    time.sleep(1.5)                                   # longer than the lease: the renewing thread kept it
    assert other.claim("m|gh|1") is False
    owner.finish("m|gh|1")
    assert owner.renew() == 0


def test_only_one_of_many_workers_claims_an_abandoned_entry(own_inbound_journal: str) -> None:
    clock = Clock()
    InboundJournal(own_inbound_journal, 20, clock=lambda: clock.now - 60).admit(entry())   # its owner is gone
    workers = [InboundJournal(own_inbound_journal, 20, clock=clock) for _ in range(8)]
    wins: List[bool] = []
    start = threading.Barrier(len(workers))

    def race(journal: InboundJournal) -> None:
        start.wait()
        wins.append(journal.claim("m|gh|1"))

    threads = [threading.Thread(target=race, args=(journal,)) for journal in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_finished_and_too_old_entries_are_purged_and_unsubscribe_forgets_the_follower(own_inbound_journal: str) -> None:
    clock = Clock()
    journal = InboundJournal(own_inbound_journal, 20, keep_finished_seconds=120, clock=clock)
    journal.admit(entry("m|gh|1", received_at=clock.now))
    journal.finish("m|gh|1")
    journal.admit(entry("m|gh|2", received_at=clock.now - 7200))            # unfinished, but two hours old
    journal.admit(entry("m|gh|3", received_at=clock.now))
    journal.admit(entry("m|gh|4", openid="o-2", received_at=clock.now))
    clock.now += 60
    assert journal.purge(3600) == 1 and {r["key"] for r in rows(journal)} == {"m|gh|1", "m|gh|3", "m|gh|4"}
    clock.now += 61
    assert journal.purge(3600) == 1 and {r["key"] for r in rows(journal)} == {"m|gh|3", "m|gh|4"}
    assert journal.forget("o-1") == 1 and {r["openid"] for r in rows(journal)} == {"o-2"}


# -- through the channel ------------------------------------------------------------------------------
@pytest.fixture()
def api() -> Iterator[FakeWeChatApi]:
    server = FakeWeChatApi(APP_ID, SECRET).start()
    yield server
    server.stop()


def serve(api: FakeWeChatApi, turn_seconds: float = 0.0) -> ServedChannel:
    settings = settings_from_credentials({"token": TOKEN, "app_id": APP_ID, "app_secret": SECRET, "mode": "safe",
                                          "encoding_aes_key": AES_KEY, "api_base_url": api.base_url})
    return ServedChannel(WeChatInput(settings), turn_seconds=turn_seconds)


def platform_for(served: ServedChannel) -> WeChatPlatform:
    return WeChatPlatform(AccountConfig(url=served.url, token=TOKEN, app_id=APP_ID, encoding_aes_key=AES_KEY, mode="safe"),
                          attempts=1)


def left_by_a_dead_process(url: str, xml: str) -> str:
    """Journal `xml` as the killed process did before its turn finished (its lease ran out long ago)."""
    inbound = read_inbound(xml, load_content())
    key = "|".join(inbound.dedupe_key)
    dead = InboundJournal(url, 20, clock=lambda: time.time() - 60)
    assert dead.admit(JournalEntry(key, inbound.openid, inbound.account, turn_id(inbound, key), inbound.text,
                                   inbound.metadata, inbound.cut, time.time() - 60)) == NEW
    return key


def replay(served: ServedChannel, tracker_store: object = None) -> int:
    return asyncio.run_coroutine_threadsafe(served.channel.replay_due(tracker_store), served._loop).result(10)


def delivered(api: FakeWeChatApi, openid: str, wait: float = 0.0) -> List[str]:
    deadline = time.monotonic() + wait
    while True:
        found = [m["body"]["text"]["content"] for m in api.state.inbox if m["openid"] == openid]
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def unfinished(url: str) -> List[Optional[str]]:
    return [r["text"] for r in rows(InboundJournal(url)) if r["finished_at"] is None]


def test_a_message_answered_normally_leaves_no_words_in_the_journal(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    with serve(api) as served:
        platform = platform_for(served)
        result = platform.push(MessageFactory(platform.config.account, "o-a").text("查话费"), "o-a")
        assert result.reply.content == "echo:查话费"
    assert unfinished(own_inbound_journal) == [] and [r["text"] for r in rows(InboundJournal(own_inbound_journal))] == [None]


def test_a_message_left_by_a_dead_process_is_replayed_once_and_answered_by_customer_service(
        api: FakeWeChatApi, own_inbound_journal: str) -> None:
    api.state.record_interaction("o-b", "message")
    with serve(api) as served:
        platform = platform_for(served)
        xml = MessageFactory(platform.config.account, "o-b").text("查流量")
        left_by_a_dead_process(own_inbound_journal, xml)
        assert replay(served) == 1
        assert delivered(api, "o-b", wait=5) == ["echo:查流量"]
        assert replay(served) == 0                   # finished: never twice
        time.sleep(0.3)
        assert served.texts == ["查流量"] and delivered(api, "o-b") == ["echo:查流量"]
        assert served.turns[0].message_id == read_inbound(xml, load_content()).message_id   # WeChat's MsgId
    assert unfinished(own_inbound_journal) == []


def test_a_message_already_stored_in_the_conversation_is_not_run_again(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    api.state.record_interaction("o-c", "message")

    class Store:
        async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker:
            return DialogueStateTracker.from_events(sender_id, [UserUttered("查余额", message_id=stored_id)])

    with serve(api) as served:
        platform = platform_for(served)
        xml = MessageFactory(platform.config.account, "o-c").text("查余额")
        stored_id = read_inbound(xml, load_content()).message_id
        left_by_a_dead_process(own_inbound_journal, xml)
        assert replay(served, Store()) == 1
        time.sleep(0.5)
        assert served.texts == [] and delivered(api, "o-c") == []
    assert unfinished(own_inbound_journal) == []


def test_wechats_retry_after_the_restart_takes_over_the_journalled_turn(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    with serve(api) as served:
        platform = platform_for(served)
        xml = MessageFactory(platform.config.account, "o-d").text("营业厅")
        left_by_a_dead_process(own_inbound_journal, xml)
        assert platform.push(xml, "o-d").reply.content == "echo:营业厅"   # answered passively, in time
        assert replay(served) == 0                                        # nothing left to replay
        assert platform.push(xml, "o-d").reply.content == "echo:营业厅"   # a further retry: the same answer
        time.sleep(0.3)
        assert served.texts == ["营业厅"] and delivered(api, "o-d") == []


def test_a_retry_during_the_replay_joins_it_and_gets_the_answer_passively(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    api.state.record_interaction("o-e", "message")
    with serve(api, turn_seconds=1.0) as served:
        platform = platform_for(served)
        xml = MessageFactory(platform.config.account, "o-e").text("宽带故障")
        left_by_a_dead_process(own_inbound_journal, xml)
        assert replay(served) == 1                                        # the replay's turn is running
        result = platform.push(xml, "o-e")
        assert result.reply is not None and result.reply.content == "echo:宽带故障"
        time.sleep(0.5)
        assert served.texts == ["宽带故障"] and delivered(api, "o-e") == []   # one turn, one answer
    assert unfinished(own_inbound_journal) == []


def test_a_retry_of_a_message_answered_before_the_restart_runs_no_turn(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    with serve(api) as served:
        platform = platform_for(served)
        xml = MessageFactory(platform.config.account, "o-f").text("你好")
        key = left_by_a_dead_process(own_inbound_journal, xml)
        InboundJournal(own_inbound_journal).finish(key)
        assert platform.push(xml, "o-f").reply is None and served.texts == []


def test_unsubscribe_erases_the_followers_journalled_messages(api: FakeWeChatApi, own_inbound_journal: str) -> None:
    with serve(api) as served:
        factory = MessageFactory(platform_for(served).config.account, "o-g")
        left_by_a_dead_process(own_inbound_journal, factory.text("13800138000"))
        left_by_a_dead_process(own_inbound_journal, MessageFactory(factory.account, "o-other").text("你好"))
        request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace()))   # Rasa's agent not needed here
        erase = served.channel._erasure(request).erasers[INBOUND_JOURNAL]
        earlier = clock.now() - timedelta(minutes=2)   # a retried erasure of an unfollow before the message came
        assert asyncio.run_coroutine_threadsafe(erase("o-g", earlier), served._loop).result(10) == 0
        assert asyncio.run_coroutine_threadsafe(erase("o-g", clock.now()), served._loop).result(10) == 1
    assert [r["openid"] for r in rows(InboundJournal(own_inbound_journal))] == ["o-other"]
