"""The customer-service sender against the stand-in's API: quotas, windows and token failures."""
from typing import Iterator

import pytest

from bot.wechat_sim.api import FakeWeChatApi
from channels.wechat.customer_service import CustomerServiceSender
from channels.wechat.settings import WeChatSettings


@pytest.fixture()
def api() -> Iterator[FakeWeChatApi]:
    server = FakeWeChatApi("wxapp", "secret").start()
    yield server
    server.stop()


def _sender(api: FakeWeChatApi, quota: int = 5, secret: str = "secret") -> CustomerServiceSender:
    settings = WeChatSettings("t", "wxapp", secret, None, None, api.base_url, customer_service_quota=quota)
    return CustomerServiceSender(settings)


def _text(openid: str, text: str) -> dict:
    return {"touser": openid, "msgtype": "text", "text": {"content": text}}


def test_messages_within_the_window_are_delivered_in_order(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    delivery = _sender(api).send_all([_text("o-1", "一"), _text("o-1", "二")])
    assert delivery.sent == 2 and delivery.errcode is None
    assert [m["body"]["text"]["content"] for m in api.state.inbox] == ["一", "二"]
    assert api.state.counters["token"] == 1


def test_wechat_quota_stops_the_sixth_message(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    sender = _sender(api, quota=10)
    delivery = sender.send_all([_text("o-1", str(i)) for i in range(7)])
    assert delivery.sent == 5 and delivery.errcode == 45047 and delivery.dropped == 2


def test_our_own_quota_cap_never_sends_more_than_configured(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    delivery = _sender(api, quota=3).send_all([_text("o-1", str(i)) for i in range(5)])
    assert delivery.sent == 3 and api.state.counters["send"] == 3


def test_expired_48_hour_window_is_reported_and_nothing_is_sent(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    base = api.state.clock
    api.state.clock = lambda: base() + 49 * 3600
    delivery = _sender(api).send_all([_text("o-1", "迟到的消息")])
    assert delivery.sent == 0 and delivery.errcode == 45015 and api.state.inbox == []


def test_invalidated_token_is_refreshed_once_and_the_send_retried(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    sender = _sender(api)
    sender.send_all([_text("o-1", "一")])
    api.state.tokens.clear()  # another party invalidated every token
    delivery = sender.send_all([_text("o-1", "二")])
    assert delivery.sent == 1 and api.state.counters["token"] == 2


def test_always_invalid_token_makes_a_bounded_number_of_calls(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    api.state.failures = {"send": 40001}
    sender = _sender(api)
    for _ in range(5):
        assert sender.send_all([_text("o-1", "x")]).sent == 0
    assert api.state.counters["send"] <= 10 and api.state.counters["token"] <= 6


def test_failing_token_endpoint_is_not_hammered(api: FakeWeChatApi) -> None:
    api.state.record_interaction("o-1", "message")
    sender = _sender(api, secret="wrong")
    for _ in range(20):
        delivery = sender.send_all([_text("o-1", "x")])
        assert delivery.sent == 0
    assert api.state.counters["token"] == 1 and api.state.counters["send"] == 0
