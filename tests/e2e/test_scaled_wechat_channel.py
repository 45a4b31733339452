"""Two Rasa workers behind one port, sharing Redis: what one instance guarantees must hold across processes.

The stand-in opens a new connection per request here, and each connection lands on whichever worker accepts
it first, so every test sends enough requests that both workers take part; with per-process state these tests fail (retries start second turns, agent sessions
and button menus are forgotten).
"""
from __future__ import annotations

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

from bot.wechat_sim.messages import MessageFactory
from tests.e2e.action_proxy import SLOW_SECONDS
from tests.e2e.conftest import WeChatBot
from tests.e2e.test_wechat_channel import inbox


def follower(prefix: str = "o-scaled") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_rasa_really_runs_two_worker_processes(scaled_wechat_bot: WeChatBot) -> None:
    rasa = scaled_wechat_bot.bot.processes[-1]
    children = subprocess.run(["pgrep", "-P", str(rasa.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) >= 2, "Rasa fell back to one worker: is the Redis lock store configured?"


def test_retries_spread_over_workers_never_start_a_second_turn(scaled_wechat_bot: WeChatBot) -> None:
    platform = scaled_wechat_bot.platform("safe", keep_alive=False)
    openids = [follower() for _ in range(6)]

    def original_and_two_retries(openid: str) -> list:
        xml = MessageFactory(platform.config.account, openid).text("你好")
        with ThreadPoolExecutor(max_workers=3) as pool:
            return list(pool.map(lambda _: platform.push(xml, openid), range(3)))

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(original_and_two_retries, openids))
    for openid, results in zip(openids, answers):
        assert all(r.accepted and r.reply is not None and r.reply.content.startswith("您好") for r in results)
        assert len({r.reply.content for r in results}) == 1
        assert scaled_wechat_bot.user_turns(openid) == 1


def test_a_slow_turn_and_its_retries_on_other_workers_are_delivered_once(scaled_wechat_bot: WeChatBot) -> None:
    platform, openid = scaled_wechat_bot.platform("safe", keep_alive=False), follower("o-slow")
    scaled_wechat_bot.api.state.record_interaction(openid, "message")
    xml = MessageFactory(platform.config.account, openid).text("附近营业厅")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: platform.push(xml, openid), range(3)))
    assert all(r.accepted and r.reply is None and r.seconds < 4.6 for r in results)
    delivered = inbox(scaled_wechat_bot, openid, wait=SLOW_SECONDS + 10)
    assert len(delivered) == 1 and delivered[0]["text"]["content"].startswith("请发送您的位置")
    assert scaled_wechat_bot.user_turns(openid) == 1


def test_every_worker_knows_the_follower_is_with_a_human_agent(scaled_wechat_bot: WeChatBot) -> None:
    platform, openid = scaled_wechat_bot.platform("safe", keep_alive=False), follower()
    scaled_wechat_bot.api.state.record_interaction(openid, "message")
    messages = MessageFactory(platform.config.account, openid)
    assert platform.push(messages.text("转人工"), openid).reply.msg_type == "transfer_customer_service"
    for question in ["人呢？", "在吗", "我的宽带坏了", "你好", "查话费", "喂"]:
        assert platform.push(messages.text(question), openid).reply.msg_type == "transfer_customer_service"
    closed = platform.push(messages.event("kf_close_session", KfAccount="test1@test"), openid)
    assert closed.reply.msg_type == "text" and "满意" in closed.reply.content   # handed back: the survey's question
    for _ in range(4):
        back = platform.push(messages.text("你好"), openid)
        assert back.reply.msg_type == "text" and back.reply.content.startswith("您好")


def test_a_number_picks_the_button_shown_by_another_worker(scaled_wechat_bot: WeChatBot) -> None:
    platform = scaled_wechat_bot.platform("safe", keep_alive=False)
    for _ in range(10):
        openid = follower("o-buttons")
        messages = MessageFactory(platform.config.account, openid)
        assert platform.push(messages.text("附近营业厅"), openid).reply.content == "请选择：\n1. 打个招呼\n2. 看菜单"
        assert platform.push(messages.text("1"), openid).reply.content.startswith("您好")


def test_twenty_followers_at_once_each_get_their_own_conversation(scaled_wechat_bot: WeChatBot) -> None:
    platform = scaled_wechat_bot.platform("safe", keep_alive=False)
    conversation = ["你好", "营业厅几点关门", "谢谢"]

    def chat(openid: str) -> list:
        messages = MessageFactory(platform.config.account, openid)
        return [platform.push(messages.text(text), openid) for text in conversation]

    openids = [follower() for _ in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(chat, openids))
    for openid, results in zip(openids, answers):
        assert all(r.accepted and r.reply is not None and r.reply.msg_type == "text" for r in results)
        assert results[0].reply.content.startswith("您好")
        assert scaled_wechat_bot.user_turns(openid) == len(conversation)
