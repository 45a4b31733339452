"""Fault injection against the real servers: the action server, the back-end database, the tracker database and
Rasa itself fail or restart, and every follower still gets an answer and no conversation stays stuck.

One bot of its own (WeChat in safe mode + REST), because these tests stop and restart its processes.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.repairs import SqlRepairDesk
from bot.wechat_sim.messages import MessageFactory
from tests.actions.conftest import domain_responses
from tests.e2e.action_proxy import SLOW_SECONDS
from tests.e2e.conftest import WeChatBot, _start_wechat_bot
from tests.e2e.test_wechat_channel import inbox

BOUND_MOBILE = "13800138000"
CODE_SECRET = "fault-tests-code-secret-0123456789"


def response_text(name: str) -> str:
    return domain_responses()[name][0]["text"]


UNAVAILABLE, BUSY = response_text("utter_service_unavailable"), response_text("utter_service_busy")


@pytest.fixture(scope="module")
def fault_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChatBot]:
    bot = _start_wechat_bot(tmp_path_factory.mktemp("fault-bot"), channel_settings={"erasure_retry_seconds": 1},
                            env={"BOT_CODE_SECRET": CODE_SECRET})
    yield bot
    bot.stop()


def follower(prefix: str = "o-fault") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def say(bot: WeChatBot, sender: str, text: str, timeout: float = 30) -> List[str]:
    answer = requests.post(f"{bot.bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout)
    answer.raise_for_status()
    return [m.get("text", "") for m in answer.json()]


def bound_follower(bot: WeChatBot) -> str:
    sender = follower("rest-fault")
    crm = SqlCrm(bot.database_url)
    crm.bind_openid(sender, crm.customer_by_mobile(BOUND_MOBILE).customer_id)  # type: ignore[union-attr]
    return sender


def backend_file(bot: WeChatBot) -> Path:
    return Path(bot.database_url.replace("sqlite:///", ""))


@contextmanager
def action_server_down(bot: WeChatBot) -> Iterator[None]:
    bot.bot.actions.stop(kill=True)
    try:
        yield
    finally:
        bot.bot.actions.start()


@contextmanager
def sqlite_locked(path: Path, mode: str = "EXCLUSIVE") -> Iterator[None]:
    """Another process holds a lock on the database: EXCLUSIVE keeps everyone out; IMMEDIATE lets readers in and
    makes every write fail, as a read-only database does (chmod would not stop the root user of a CI machine)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"BEGIN {mode}")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


def last_event_is_listen(bot: WeChatBot, sender: str) -> bool:
    with sqlite3.connect(bot.bot.workdir / "tracker.db") as connection:
        row = connection.execute(
            "select type_name, action_name from events where sender_id = ? and type_name = 'action' "
            "order by id desc limit 1", (sender,)).fetchone()
    return row == ("action", "action_listen")


# -- the action server ----------------------------------------------------------------------------
def test_action_server_down_every_message_is_answered_and_a_person_is_still_reached(fault_bot: WeChatBot) -> None:
    sender, platform = bound_follower(fault_bot), fault_bot.platform()
    openid = follower()
    with action_server_down(fault_bot):
        assert say(fault_bot, sender, "查一下话费余额") == [UNAVAILABLE]
        assert last_event_is_listen(fault_bot, sender)
        human = platform.push(MessageFactory(platform.config.account, openid).text("转人工"), openid)
        assert not human.problems and human.reply is not None
        assert human.reply.msg_type == "transfer_customer_service"   # handed to WeChat's agents, no action server
    assert "86.50" in " ".join(say(fault_bot, sender, "查一下话费余额"))   # served again once it is back


def test_an_outage_in_the_middle_of_a_form_recovers_on_the_next_message(fault_bot: WeChatBot) -> None:
    sender, mobile = follower("rest-fault"), "13612340002"
    asked = say(fault_bot, sender, "绑定手机号")
    assert any("手机号" in text for text in asked)
    with action_server_down(fault_bot):
        assert say(fault_bot, sender, mobile) == [UNAVAILABLE]
        assert say(fault_bot, sender, mobile) == [UNAVAILABLE]   # no circuit breaker silence
    again = " ".join(say(fault_bot, sender, mobile))
    assert "验证码" in again and UNAVAILABLE not in again   # the form goes on where it was


def test_a_conversation_left_stuck_by_rasas_circuit_breaker_recovers(fault_bot: WeChatBot) -> None:
    """A conversation saved mid-turn (ten actions, no action_listen), as Rasa's own processor leaves it."""
    sender = follower("rest-fault")
    say(fault_bot, sender, "你好")
    with sqlite3.connect(fault_bot.bot.workdir / "tracker.db") as connection:
        for _ in range(10):
            now = time.time()
            event = {"event": "action", "name": "action_fallback", "policy": "RulePolicy", "confidence": 1.0,
                     "timestamp": now}
            connection.execute("insert into events (sender_id, type_name, timestamp, action_name, data) "
                               "values (?, 'action', ?, 'action_fallback', ?)", (sender, now, json.dumps(event)))
    first = say(fault_bot, sender, "菜单")
    assert first == [UNAVAILABLE]
    assert last_event_is_listen(fault_bot, sender)
    assert say(fault_bot, sender, "菜单") == say(fault_bot, follower("rest-fault"), "菜单")   # served as anyone


# -- the back-end database ------------------------------------------------------------------------
def test_backend_database_locked_or_missing_gets_an_answer(fault_bot: WeChatBot) -> None:
    sender = bound_follower(fault_bot)
    with sqlite_locked(backend_file(fault_bot)):
        assert say(fault_bot, sender, "查一下话费余额") == [UNAVAILABLE]
    moved = backend_file(fault_bot).with_suffix(".away")
    os.replace(backend_file(fault_bot), moved)
    try:
        assert say(fault_bot, sender, "查一下话费余额") == [UNAVAILABLE]
    finally:
        os.replace(moved, backend_file(fault_bot))
    assert "86.50" in " ".join(say(fault_bot, sender, "查一下话费余额"))


def _sms_code(bot: WeChatBot, mobile: str) -> str:
    lines = [json.loads(line) for line in (bot.bot.workdir / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    return re.search(r"\d{6}", [item for item in lines if item["mobile"] == mobile][-1]["text"]).group(0)


def test_a_write_that_fails_on_a_read_only_database_is_not_done_and_can_be_repeated(fault_bot: WeChatBot) -> None:
    sender, mobile = follower("rest-fault"), "13712340001"
    say(fault_bot, sender, "绑定手机号")
    say(fault_bot, sender, mobile)
    code = _sms_code(fault_bot, mobile)
    with sqlite_locked(backend_file(fault_bot), "IMMEDIATE"):
        assert say(fault_bot, sender, code) == [UNAVAILABLE]
    assert SqlCrm(fault_bot.database_url).customer_for_openid(sender) is None   # not half-written
    done = " ".join(say(fault_bot, sender, code))   # the same code, once more
    assert UNAVAILABLE not in done
    assert SqlCrm(fault_bot.database_url).customer_for_openid(sender) is not None


# -- the tracker database -------------------------------------------------------------------------
def test_tracker_database_locked_asks_to_send_again_quickly_and_never_answers_without_context(fault_bot: WeChatBot) -> None:
    sender, mobile = follower("rest-fault"), "13512340003"
    say(fault_bot, sender, "绑定手机号")
    with sqlite_locked(fault_bot.bot.workdir / "tracker.db"):
        started = time.monotonic()
        assert say(fault_bot, sender, mobile) == [BUSY]
        assert time.monotonic() - started < 4.0   # inside WeChat's 5-second window
    again = " ".join(say(fault_bot, sender, mobile))
    assert "验证码" in again   # the conversation kept its context: still in the binding form


# -- Rasa restarted -------------------------------------------------------------------------------
def test_numbered_choices_survive_a_restart_of_rasa(fault_bot: WeChatBot) -> None:
    sender, control = follower("rest-fault"), follower("rest-fault")
    menu = say(fault_bot, sender, "菜单")
    say(fault_bot, control, "菜单")
    expected = say(fault_bot, control, "9")
    fault_bot.bot.rasa.stop()
    fault_bot.bot.rasa.start()
    assert say(fault_bot, sender, "9") == expected
    assert menu and expected and expected != [UNAVAILABLE]


def test_a_message_in_flight_when_rasa_is_killed_is_answered_once_after_the_restart(fault_bot: WeChatBot) -> None:
    """The follower's turn is running (a slow action) when Rasa is killed; WeChat's POST gets no answer. After
    the restart the journalled message is answered — by a replay or by WeChat's retry joining it — exactly once."""
    platform, openid = fault_bot.platform(attempts=1), follower("o-slow")
    fault_bot.api.state.record_interaction(openid, "message")
    xml = MessageFactory(platform.config.account, openid).text("附近营业厅")
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(platform.push, xml, openid)
        time.sleep(2.0)                              # understood, now waiting for the slow action
        fault_bot.bot.rasa.stop(kill=True)
        assert first.result().problems               # WeChat saw no answer: it would retry
    fault_bot.bot.rasa.start()
    retry = platform.push(xml, openid)               # WeChat's retry reaches the restarted bot
    assert retry.accepted
    answers = ([retry.reply.content] if retry.reply is not None else []) + [
        m["text"]["content"] for m in inbox(fault_bot, openid, wait=SLOW_SECONDS + 25)]
    time.sleep(3)                                    # nothing else follows
    answers = ([retry.reply.content] if retry.reply is not None else []) + [
        m["text"]["content"] for m in inbox(fault_bot, openid)]
    assert len(answers) == 1 and answers[0].startswith("请发送您的位置"), answers
    assert fault_bot.user_turns(openid) == 1          # the turn ran (and was kept) once


# -- unsubscribing while things are down ----------------------------------------------------------
def _personal_rows(bot: WeChatBot, openid: str) -> Dict[str, int]:
    from bot.backends.sms import DevInboxSmsGateway
    from bot.verification import VerificationService

    service = VerificationService(bot.database_url, DevInboxSmsGateway(bot.bot.workdir / "sms.jsonl"), CODE_SECRET.encode())
    follower_key = service._keys(openid, BOUND_MOBILE)[0]   # pending codes are stored under a keyed hash
    with sqlite3.connect(backend_file(bot)) as connection:
        counts = {table: connection.execute(f"select count(*) from {table} where openid = ?", (openid,)).fetchone()[0]
                  for table in ("wechat_bindings", "callback_requests", "restore_notices")}
        counts["binding_codes"] = connection.execute("select count(*) from binding_codes where follower = ?",
                                                     (follower_key,)).fetchone()[0]
    return counts


def _with_personal_data(bot: WeChatBot) -> str:
    platform, openid = bot.platform(), follower()
    for text in ("绑定手机号", "18812340004"):   # a pending code, asked for in the dialogue
        platform.push(MessageFactory(platform.config.account, openid).text(text), openid)
    crm = SqlCrm(bot.database_url)
    customer = crm.customer_by_mobile(BOUND_MOBILE)
    crm.bind_openid(openid, customer.customer_id)  # type: ignore[union-attr]
    crm.request_callback(openid, BOUND_MOBILE)
    SqlRepairDesk(bot.database_url).subscribe_restore_notice(crm.broadband_lines(customer.customer_id)[0].line_id, openid)  # type: ignore[union-attr]
    assert all(_personal_rows(bot, openid).values()), _personal_rows(bot, openid)
    return openid


def test_unsubscribe_with_the_action_server_down_erases_every_personal_record(fault_bot: WeChatBot) -> None:
    openid, platform = _with_personal_data(fault_bot), fault_bot.platform()
    with action_server_down(fault_bot):
        result = platform.push(MessageFactory(platform.config.account, openid).unsubscribe(), openid)
        assert result.accepted and result.reply is None
    deadline = time.monotonic() + 10   # erased in the background, after the (empty) reply
    while (any(_personal_rows(fault_bot, openid).values()) or fault_bot.user_turns(openid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_personal_rows(fault_bot, openid).values())
    assert fault_bot.user_turns(openid) == 0


def test_unsubscribe_with_the_backend_database_locked_is_finished_once_it_is_back(fault_bot: WeChatBot) -> None:
    openid, platform = _with_personal_data(fault_bot), fault_bot.platform()
    journal = fault_bot.bot.workdir / "pending-erasures.jsonl"
    with sqlite_locked(backend_file(fault_bot)):
        platform.push(MessageFactory(platform.config.account, openid).unsubscribe(), openid)
        deadline = time.monotonic() + 20
        while not (journal.exists() and openid in journal.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert openid in journal.read_text()   # could not be erased yet: journalled
    assert all(_personal_rows(fault_bot, openid).values())
    time.sleep(1.2)
    other = follower()
    platform.push(MessageFactory(platform.config.account, other).text("你好"), other)   # any later message retries
    deadline = time.monotonic() + 15
    while any(_personal_rows(fault_bot, openid).values()) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not any(_personal_rows(fault_bot, openid).values())


# -- under load -----------------------------------------------------------------------------------
LOAD_FOLLOWERS, LOAD_SECONDS = 10, 30.0
LOAD_MESSAGES = ["你好", "查一下话费余额", "菜单", "营业厅几点开门", "查流量", "转人工", "谢谢"]


def test_action_server_killed_and_restarted_under_load_leaves_no_message_unanswered(fault_bot: WeChatBot) -> None:
    """10 followers for 30 s through WeChat (safe mode); the action server is killed at 8 s and back at ~18 s.
    A message counts as answered by a passive reply or a customer-service message that arrived later."""
    platform = fault_bot.platform(keep_alive=False)
    crm = SqlCrm(fault_bot.database_url)
    openids = [follower("o-load") for _ in range(LOAD_FOLLOWERS)]
    for openid in openids:
        crm.bind_openid(openid, crm.customer_by_mobile(BOUND_MOBILE).customer_id)  # type: ignore[union-attr]
    sent: Dict[str, int] = dict.fromkeys(openids, 0)
    passive: Dict[str, int] = dict.fromkeys(openids, 0)
    deadline = time.monotonic() + LOAD_SECONDS

    def follower_loop(openid: str) -> None:
        factory, index = MessageFactory(platform.config.account, openid), 0
        while time.monotonic() < deadline:
            text = LOAD_MESSAGES[index % len(LOAD_MESSAGES)]
            index += 1
            if text == "转人工":
                continue   # a handoff would pass this follower's next messages to human agents
            result = platform.push(factory.text(text), openid)
            sent[openid] += 1
            passive[openid] += result.reply is not None
            time.sleep(0.5)

    def outage() -> None:
        time.sleep(8)
        fault_bot.bot.actions.stop(kill=True)
        time.sleep(6)
        fault_bot.bot.actions.start()

    chaos = threading.Thread(target=outage)
    chaos.start()
    with ThreadPoolExecutor(max_workers=LOAD_FOLLOWERS) as pool:
        list(pool.map(follower_loop, openids))
    chaos.join()
    time.sleep(8)   # late turns go out by customer-service message
    lost = {o: sent[o] - passive[o] - len(inbox(fault_bot, o)) for o in openids}
    total = sum(sent.values())
    report = fault_bot.bot.workdir / "load-outage.txt"
    report.write_text(f"messages={total} lost={sum(max(v, 0) for v in lost.values())}\n", encoding="utf-8")
    print(f"\nload with action-server outage: {total} messages, {sum(max(v, 0) for v in lost.values())} without a reply")
    assert total >= 100
    assert all(v <= 0 for v in lost.values()), lost


# -- logs after all of the above ------------------------------------------------------------------
def test_no_full_number_or_code_in_any_log_after_the_failures(fault_bot: WeChatBot) -> None:
    codes = {json.loads(line)["text"] for line in (fault_bot.bot.workdir / "sms.jsonl").read_text(encoding="utf-8").splitlines()}
    code_values = {re.search(r"\d{6}", text).group(0) for text in codes}
    for log in fault_bot.bot.workdir.glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), f"full mobile number in {log.name}"
        assert not re.search(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", text), f"ID-card number in {log.name}"
        for code in code_values:
            assert not re.search(rf"(?<!\d){code}(?!\d)", text), f"verification code in {log.name}"
