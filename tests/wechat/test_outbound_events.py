"""The channel's part of the outbound side: follower messages and clicks are recorded as WeChat's
customer-service window, and TEMPLATESENDJOBFINISH updates the delivery record without a bot turn."""
from __future__ import annotations

import time
from typing import Callable, Iterator

import pytest

from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.backends.sql.interactions import SqlInteractionLog
from bot.wechat_sim.messages import MessageFactory
from bot.wechat_sim.platform import AccountConfig, WeChatPlatform
from channels.wechat.channel import WeChatInput
from channels.wechat.outbound_events import OutboundEvents
from channels.wechat.settings import settings_from_credentials
from tests.conftest import FIXED_NOW
from tests.served_channel import ServedChannel

TOKEN, APP_ID = "unit-token", "wx0000000000unit01"


@pytest.fixture()
def served(database_url: str) -> Iterator[ServedChannel]:
    settings = settings_from_credentials({"token": TOKEN, "app_id": APP_ID, "app_secret": "s", "mode": "plain",
                                          "api_base_url": "http://127.0.0.1:9/cgi-bin/"})
    events = OutboundEvents(lambda: SqlInteractionLog(database_url), lambda: SqlDeliveryLog(database_url), now=lambda: FIXED_NOW)
    with ServedChannel(WeChatInput(settings, outbound_events=events)) as channel:
        yield channel


def _wechat(served: ServedChannel, openid: str) -> tuple:
    platform = WeChatPlatform(AccountConfig(url=served.url, token=TOKEN, app_id=APP_ID, mode="plain"), attempts=1)
    return platform, MessageFactory(platform.config.account, openid)


def _eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_message_and_a_menu_click_open_the_customer_service_windows(served: ServedChannel, database_url: str) -> None:
    platform, messages = _wechat(served, "o-window")
    log = SqlInteractionLog(database_url)
    platform.push(messages.text("你好"), "o-window")
    assert _eventually(lambda: log.latest("o-window") is not None and log.latest("o-window").last_message_at == FIXED_NOW)
    assert log.latest("o-window").last_event_at is None
    platform.push(messages.click("MENU_BALANCE"), "o-window")
    assert _eventually(lambda: log.latest("o-window").last_event_at == FIXED_NOW)


def test_template_send_results_update_the_delivery_and_start_no_turn(served: ServedChannel, database_url: str) -> None:
    deliveries = SqlDeliveryLog(database_url)
    for openid, msgid in (("o-ok", "300001"), ("o-blocked", "300002")):
        deliveries.claim("outage-9-announce", openid, "outage:9", "outage_notice", FIXED_NOW)
        deliveries.settle("outage-9-announce", openid, "outage:9", "sent", FIXED_NOW, route="template", msgid=msgid)
    for openid, msgid, status in (("o-ok", 300001, "success"), ("o-blocked", 300002, "failed:user block")):
        platform, messages = _wechat(served, openid)
        result = platform.push(messages.template_finished(msgid, status), openid)
        assert result.accepted and result.reply is None

    def statuses() -> dict:
        return {r.openid: r.template_status for r in deliveries.deliveries("outage-9-announce")}

    assert _eventually(lambda: statuses() == {"o-ok": "success", "o-blocked": "failed:user block"})
    assert served.turns == []
    assert SqlInteractionLog(database_url).latest("o-ok") is None   # a template result is no interaction


def test_the_chat_shows_outbound_messages_and_reports_templates_back(served: ServedChannel, database_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """A notice reaches the stand-in's chat: as a customer-service text inside the window, as a template outside;
    the chat reports the template back as WeChat does, and the delivery record shows it arrived."""
    from bot.outbound.campaign import CampaignRunner, RateLimiter
    from bot.outbound.config import load_outbound_settings
    from bot.outbound.delivery import Deliverer
    from bot.outbound.message import OutboundMessage
    from bot.outbound.wechat_api import OutboundApi
    from bot.wechat_sim.api import FakeWeChatApi
    from bot.wechat_sim.follower import Follower
    from channels.wechat.settings import WeChatSettings

    monkeypatch.setenv("BOT_SMS_INBOX", str(tmp_path / "sms.jsonl"))
    templates = load_outbound_settings().templates
    api = FakeWeChatApi("wxapp", "secret", templates={t.template_id: list(t.fields) for t in templates.values()}).start()
    try:
        platform, _ = _wechat(served, "o-chat")
        follower = Follower(platform, "o-chat", api.root_url)
        outbound = OutboundApi(WeChatSettings("t", "wxapp", "secret", None, None, api.base_url))
        runner = CampaignRunner(Deliverer(outbound, SqlInteractionLog(database_url), templates), SqlDeliveryLog(database_url),
                                RateLimiter(100.0), now=lambda: FIXED_NOW)
        notice = OutboundMessage("o-chat", "utter_outbound_restore_notice", "restore_notice", "restore:5",
                                 {"area": "荔湾区", "restored_month": "11", "restored_day": "25", "restored_time": "16:30"},
                                 template="restore_notice", template_consented=True,
                                 template_fields={"area": "荔湾区", "restored_at": "2026-11-25 16:30"})
        assert runner.run("outage-5-restore", [notice]).sent == 1
        [line] = follower.new_customer_service_messages()
        assert line.who == "bot·模板" and "thing1: 荔湾区" in line.text and "time2: 2026-11-25 16:30" in line.text
        deliveries = SqlDeliveryLog(database_url)
        assert _eventually(lambda: deliveries.deliveries("outage-5-restore")[0].template_status == "success")

        follower.send("你好")   # opens the window, for WeChat (the stand-in) and for the bot (the channel records it)
        assert _eventually(lambda: SqlInteractionLog(database_url).latest("o-chat") is not None)
        assert runner.run("outage-6-restore", [notice.__class__(**{**notice.__dict__, "dedupe_key": "restore:6"})]).sent == 1
        [line] = follower.new_customer_service_messages()
        assert line.who == "bot·客服" and line.text.startswith("【宽带恢复通知】") and "16:30" in line.text
    finally:
        api.stop()
