"""The stand-in's chat plays a human agent closing the session (/agent-close): WeChat's kf_close_session event, from
the agent's side, so the bot takes the follower back (and asks its survey) only after a real handover."""
from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Iterator, Tuple

import pytest

from bot.wechat_sim.api import FakeWeChatApi
from bot.wechat_sim.follower import SIM_AGENT, Follower
from bot.wechat_sim.platform import AccountConfig, WeChatPlatform
from channels.wechat.channel import WeChatInput
from channels.wechat.settings import settings_from_credentials
from tests.served_channel import ServedChannel

TOKEN, APP_ID = "unit-token", "wx0000000000unit01"


@pytest.fixture()
def chat(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tuple[ServedChannel, FakeWeChatApi]]:
    monkeypatch.setenv("BOT_SMS_INBOX", str(tmp_path / "sms.jsonl"))
    settings = settings_from_credentials({"token": TOKEN, "app_id": APP_ID, "app_secret": "s", "mode": "plain",
                                          "api_base_url": "http://127.0.0.1:9/cgi-bin/"})
    api = FakeWeChatApi("wxapp", "secret").start()
    try:
        with ServedChannel(WeChatInput(settings)) as served:
            yield served, api
    finally:
        api.stop()


def _follower(served: ServedChannel, api: FakeWeChatApi, openid: str) -> Follower:
    platform = WeChatPlatform(AccountConfig(url=served.url, token=TOKEN, app_id=APP_ID, mode="plain"), attempts=1)
    return Follower(platform, openid, api.root_url)


def test_agent_close_is_the_kf_close_session_event_with_the_agents_account(chat) -> None:
    follower = _follower(*chat, "o-kf")
    for line, account in (("/agent-close", SIM_AGENT), ("/agent-close kf1001@test", "kf1001@test")):
        xml, kind = follower.xml_for(line)
        fields = {child.tag: child.text for child in ET.fromstring(xml)}
        assert fields["MsgType"] == "event" and fields["Event"] == "kf_close_session" and fields["KfAccount"] == account
        assert fields["FromUserName"] == "o-kf" and kind is None   # the agent's act opens no window
    assert follower.xml_for("/agent-close a b") is None
    [unknown] = follower.send("/agent-close a b")
    assert unknown.who == "system" and "/agent-close" in unknown.text


def test_after_a_handover_agent_close_hands_the_follower_back_to_the_bot(chat) -> None:
    served, api = chat
    assert _follower(served, api, "o-nobody").send("/agent-close") == []   # no agent had this follower: nothing happens
    assert served.turns == []
    follower = _follower(served, api, "o-kf")
    asyncio.run(served.channel.agent_sessions.started("o-kf"))          # 「转人工」 handed the follower to an agent
    [reply] = follower.send("/agent-close")
    assert reply.who == "bot" and reply.text == "echo:/agent_session_closed"
    [turn] = served.turns
    assert turn.metadata["wechat"]["event"] == "kf_close_session"
    assert not {"o-kf", "o-nobody"} & set(api.state.windows)   # WeChat opens no customer-service window for the agent's event
