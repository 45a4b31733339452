"""The WeChat channel served by a real Rasa server, driven by the local WeChat stand-in."""
from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.backends.sql.crm import SqlCrm
from bot.wechat_sim.messages import MessageFactory
from bot.wechat_sim.platform import WeChatPlatform
from tests.e2e.action_proxy import SLOW_SECONDS
from tests.e2e.conftest import WECHAT_OLD_AES_KEY, WeChatBot


def follower(prefix: str = "o-user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def factory(platform: WeChatPlatform, openid: str) -> MessageFactory:
    return MessageFactory(platform.config.account, openid)


def inbox(bot: WeChatBot, openid: str, wait: float = 0.0) -> list:
    deadline = time.monotonic() + wait
    while True:
        with bot.api.state.lock:
            found = [m["body"] for m in bot.api.state.inbox if m["openid"] == openid]
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.2)


# -- URL verification --------------------------------------------------------------------------------
def test_get_with_a_valid_signature_echoes_echostr(wechat_bot: WeChatBot) -> None:
    assert wechat_bot.platform().verify_url("4375120948345356249")


def test_get_with_a_forged_signature_never_echoes(wechat_bot: WeChatBot) -> None:
    answer = requests.get(wechat_bot.webhook, params={"signature": "0" * 40, "timestamp": "1", "nonce": "2", "echostr": "E"})
    assert answer.status_code == 403 and "E" != answer.text


# -- modes and message types ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_text_gets_one_passive_reply_in_every_mode(wechat_bot: WeChatBot, mode: str) -> None:
    platform, openid = wechat_bot.platform(mode), follower()
    result = platform.push(factory(platform, openid).text("你好"), openid)
    assert result.accepted and result.attempts == 1
    assert result.reply.msg_type == "text" and result.reply.content.startswith("您好")
    if mode != "plain":
        assert "<Encrypt>" not in result.reply.xml  # the stand-in decrypted an encrypted envelope


def test_previous_encoding_aes_key_still_works_during_rotation(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform(aes_key=WECHAT_OLD_AES_KEY), follower()
    result = platform.push(factory(platform, openid).text("菜单"), openid)
    assert result.accepted and "1. 话费余额" in result.reply.content


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda m: m.voice("查一下菜单"), "请回复数字选择服务"),
        (lambda m: m.voice(None), "请直接输入文字"),
        (lambda m: m.image(), "已收到您的图片"),
        (lambda m: m.video(), "暂时无法处理这类消息"),
        (lambda m: m.link(), "暂时无法处理这类消息"),
        (lambda m: m.subscribe(), "感谢关注"),
        (lambda m: m.subscribe("unknown-scene"), "感谢关注"),
        (lambda m: m.click("MENU_MAIN"), "请回复数字选择服务"),
        (lambda m: m.location(23.1291, 113.3612, "天河"), "营业厅"),
        (lambda m: m.location("abc", "113.3612", "天河"), "没能读取您发送的位置"),
        (lambda m: m.text("\x00你\x01好\u200b"), "您好"),
        (lambda m: m.text("\u200b\x7f"), "请重新输入"),
    ],
    ids=["voice-recognised", "voice-unrecognised", "image", "video", "link", "subscribe", "subscribe-scene",
         "click", "location", "location-unreadable", "control-characters", "nothing-visible"],
)
def test_message_and_event_types_are_answered(wechat_bot: WeChatBot, build, expected: str) -> None:
    platform, openid = wechat_bot.platform(), follower()
    result = platform.push(build(factory(platform, openid)), openid)
    assert result.accepted and expected in result.reply.content


def test_scene_qr_code_and_scan_start_the_scene_flow(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform(), follower()
    messages = factory(platform, openid)
    via_subscribe = platform.push(messages.subscribe("checkin"), openid)
    via_scan = platform.push(messages.scan("checkin"), openid)
    for result in (via_subscribe, via_scan):
        assert result.accepted and "身份证" in result.reply.content  # the check-in flow asks who is flying


def test_voice_without_recognition_and_unsupported_types_do_not_start_a_turn(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform(), follower()
    messages = factory(platform, openid)
    for xml in (messages.voice(None), messages.video()):
        assert platform.push(xml, openid).reply is not None
    assert wechat_bot.user_turns(openid) == 0


@pytest.mark.parametrize(
    "build",
    [lambda m: m.view("https://example.com"), lambda m: m.location_report(23.1, 113.3),
     lambda m: m.template_finished(1001), lambda m: m.click("NO_SUCH_KEY"), lambda m: m.event("kf_close_session")],
    ids=["view", "location-report", "template-result", "unknown-click", "kf-event"],
)
def test_silent_events_get_no_reply_and_no_turn(wechat_bot: WeChatBot, build) -> None:
    platform, openid = wechat_bot.platform(), follower()
    result = platform.push(build(factory(platform, openid)), openid)
    assert result.accepted and result.reply is None
    assert wechat_bot.user_turns(openid) == 0


def test_unsubscribe_deletes_the_conversation_and_the_binding(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform(), follower()
    crm = SqlCrm(wechat_bot.database_url)
    crm.bind_openid(openid, crm.customer_by_mobile("13800138000").customer_id)
    platform.push(factory(platform, openid).text("你好"), openid)
    assert wechat_bot.user_turns(openid) == 1
    result = platform.push(factory(platform, openid).unsubscribe(), openid)
    assert result.accepted and result.reply is None
    deadline = time.monotonic() + 10   # erased in the background, after the (empty) reply
    while (wechat_bot.user_turns(openid) or crm.customer_for_openid(openid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if wechat_bot.user_turns(openid) or crm.customer_for_openid(openid):
        # A part that met a busy database is journalled, never dropped, and retried once the retry interval has
        # passed and messages arrive (erasure_retry_seconds, 30 s by default).
        time.sleep(31)
        other = follower()
        platform.push(factory(platform, other).text("你好"), other)
        deadline = time.monotonic() + 10
        while (wechat_bot.user_turns(openid) or crm.customer_for_openid(openid)) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert wechat_bot.user_turns(openid) == 0
    assert crm.customer_for_openid(openid) is None


# -- security and robustness ---------------------------------------------------------------------------
def _rejected_without_turn(bot: WeChatBot, openid: str, answer: requests.Response, statuses=(400, 403)) -> None:
    assert answer.status_code in statuses
    assert bot.user_turns(openid) == 0


def test_forged_signature_is_rejected(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("plain"), follower()
    query, body = platform.envelope(factory(platform, openid).text("你好"), openid)
    query["signature"] = "f" * 40
    _rejected_without_turn(wechat_bot, openid, platform.post_raw(query, body))


def test_forged_msg_signature_is_rejected(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower()
    query, body = platform.envelope(factory(platform, openid).text("你好"), openid)
    query["msg_signature"] = "0" * 40
    _rejected_without_turn(wechat_bot, openid, platform.post_raw(query, body))


@pytest.mark.parametrize("variant", ["wrong-appid", "wrong-key"])
def test_undecryptable_messages_are_rejected(wechat_bot: WeChatBot, variant: str) -> None:
    kwargs = {"app_id": "wxOTHER00000000000"} if variant == "wrong-appid" else {"aes_key": "B" * 43}
    platform, openid = wechat_bot.platform("safe", **kwargs), follower()
    query, body = platform.envelope(factory(platform, openid).text("你好"), openid)
    _rejected_without_turn(wechat_bot, openid, platform.post_raw(query, body))


def test_a_signature_copied_from_another_push_cannot_carry_a_message(wechat_bot: WeChatBot) -> None:
    platform, attacker, victim = wechat_bot.platform("safe"), follower("o-attacker"), follower("o-victim")
    query, body = platform.envelope(factory(platform, attacker).text("你好"), attacker)
    assert platform.post_raw(query, body).status_code == 200
    copied = {key: query[key] for key in ("signature", "timestamp", "nonce")}
    _rejected_without_turn(wechat_bot, victim, platform.post_raw(copied, factory(platform, victim).text("你好").encode()),
                           statuses=(403,))


def test_a_long_message_is_cut_and_the_follower_told_first(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower()
    result = platform.push(factory(platform, openid).text("你好" + "。" * 10_000), openid)
    note, _, answer = result.reply.content.partition("\n\n")
    assert result.accepted and note.startswith("您的消息较长，我先看了前300个字") and answer  # the turn's own answer follows


def test_stale_timestamp_is_rejected_as_a_replay(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("plain"), follower()
    query = platform.signed_query(timestamp=str(int(time.time()) - 3600))
    answer = platform.post_raw(dict(query, openid=openid), factory(platform, openid).text("你好").encode())
    _rejected_without_turn(wechat_bot, openid, answer)


def test_replayed_request_returns_the_same_reply_without_a_second_turn(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower()
    query, body = platform.envelope(factory(platform, openid).text("你好"), openid)
    first, second = platform.post_raw(query, body), platform.post_raw(query, body)
    assert first.status_code == second.status_code == 200
    assert platform.read_reply(first.content, openid)[0].content == platform.read_reply(second.content, openid)[0].content
    assert wechat_bot.user_turns(openid) == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", b'{"json": true}', b"<xml><ToUserName>x</ToUserName></xml>",
     b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><MsgType>text</MsgType>'
     b"<FromUserName>o-entity</FromUserName><Content>&e;</Content></xml>",
     "<xml><MsgType><![CDATA[text]]></MsgType><Content>\udcff</Content></xml>".encode("utf-8", "surrogatepass")],
    ids=["empty", "garbage", "json", "no-msgtype", "entities", "bad-utf8"],
)
def test_malformed_bodies_get_a_clean_answer_and_no_turn(wechat_bot: WeChatBot, body: bytes) -> None:
    platform = wechat_bot.platform("plain")
    answer = platform.post_raw(platform.signed_query(), body)
    assert answer.status_code == 200 and answer.text == ""
    assert wechat_bot.user_turns("o-entity") == 0


def test_oversized_body_is_refused(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("plain"), follower()
    body = factory(platform, openid).text("长" * 40000).encode()
    _rejected_without_turn(wechat_bot, openid, platform.post_raw(platform.signed_query(), body), statuses=(413,))


# -- replies ------------------------------------------------------------------------------------------
def test_three_bot_messages_become_one_well_formed_passive_reply(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower("o-multi")
    result = platform.push(factory(platform, openid).text("附近营业厅"), openid)
    assert result.accepted and result.reply.msg_type == "text"
    assert result.reply.content == "第一条：特殊字符 ]]> & < > 和表情😀\n\n第二条\n\n第三条"
    assert inbox(wechat_bot, openid) == []


def test_buttons_become_a_numbered_menu_and_a_number_picks_the_payload(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower("o-buttons")
    shown = platform.push(factory(platform, openid).text("附近营业厅"), openid)
    assert shown.reply.content == "请选择：\n1. 打个招呼\n2. 看菜单"
    picked = platform.push(factory(platform, openid).text("1"), openid)
    assert picked.reply.content.startswith("您好")


def test_handoff_becomes_a_transfer_to_human_agents_and_the_words_follow(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower()
    wechat_bot.api.state.record_interaction(openid, "message")
    result = platform.push(factory(platform, openid).text("转人工"), openid)
    assert result.accepted and result.reply.msg_type == "transfer_customer_service"
    assert [m["text"]["content"] for m in inbox(wechat_bot, openid, wait=5)] == ["正在为您转接人工客服，请稍候……"]


# -- the five-second window ------------------------------------------------------------------------------
def test_slow_turn_is_answered_in_time_and_delivered_later_exactly_once(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower("o-slow")
    wechat_bot.api.state.record_interaction(openid, "message")
    xml = factory(platform, openid).text("附近营业厅")
    typing_before = wechat_bot.api.state.counters["typing"]
    with ThreadPoolExecutor(max_workers=3) as pool:  # the original push and two WeChat retries of it
        results = list(pool.map(lambda _: platform.push(xml, openid), range(3)))
    for result in results:
        assert result.accepted and result.reply is None and result.seconds < 4.6
    delivered = inbox(wechat_bot, openid, wait=SLOW_SECONDS + 10)
    assert len(delivered) == 1 and delivered[0]["text"]["content"].startswith("请发送您的位置")
    time.sleep(1)
    assert wechat_bot.user_turns(openid) == 1
    assert len(inbox(wechat_bot, openid)) == 1
    assert wechat_bot.api.state.counters["typing"] == typing_before + 1  # "typing…" shown while the turn ran on


def test_while_an_agent_has_the_follower_messages_are_transferred_until_the_session_closes(wechat_bot: WeChatBot) -> None:
    platform, openid = wechat_bot.platform("safe"), follower()
    wechat_bot.api.state.record_interaction(openid, "message")
    messages = factory(platform, openid)
    assert platform.push(messages.text("转人工"), openid).reply.msg_type == "transfer_customer_service"
    waiting = platform.push(messages.text("人呢？"), openid)
    assert waiting.reply.msg_type == "transfer_customer_service"
    closed = platform.push(messages.event("kf_close_session", KfAccount="test1@test"), openid)
    assert closed.reply.msg_type == "text" and "满意" in closed.reply.content   # handed back: the survey's question
    back = platform.push(messages.text("你好"), openid)
    assert back.reply.msg_type == "text" and back.reply.content.startswith("您好")
