"""Satisfaction surveys end to end: a follower in the stand-in's chat (bot/wechat_sim/follower.py) binds the demo
customer with a completed, unrated repair, the operator's `python -m bot notify run surveys` sends the repair survey
through the stand-in's customer-service API, and the follower answers it in the chat; a human agent closing the
session (the chat's /agent-close) is answered the same way. Each answer is stored once (the surveys back end)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from typing import List

import pytest

from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.backends.sql.repairs import SqlRepairDesk
from bot.backends.sql.surveys import SqlSurveyStore
from bot.backends.surveys import HANDOFF, REPAIR, WORDS_SCALE
from bot.outbound.wording import render
from bot.settings import PROJECT_ROOT
from bot.wechat_sim.follower import Follower, Line
from tests.e2e.conftest import WECHAT_APP_ID, WECHAT_APP_SECRET, WeChatBot

REPAIRED = "GZ2026112000045"   # the demo seed's completed, unrated repair ticket (张伟's first line)
SATISFIED = 3                  # 满意 on the three-word scale


@pytest.fixture()
def demo(wechat_bot: WeChatBot, monkeypatch: pytest.MonkeyPatch) -> WeChatBot:
    """The demo data as freshly seeded (no earlier test's bindings, surveys or ratings), and the chat's SMS pane
    reading the bot's SMS inbox, as `make chat` does in the development run."""
    from bot.demo.seed import seed

    seed(wechat_bot.database_url, reset=True)
    monkeypatch.setenv("BOT_SMS_INBOX", str(wechat_bot.bot.workdir / "sms.jsonl"))
    return wechat_bot


def chat_follower(bot: WeChatBot) -> Follower:
    return Follower(bot.platform(), f"o-survey-{uuid.uuid4().hex[:10]}", bot.api.root_url)


def chat(follower: Follower, line: str, wait: float = 8.0) -> List[Line]:
    """What the follower sees after typing `line`: the passive reply, then what arrives later (customer-service
    messages, SMS), until nothing new came for a moment."""
    seen = follower.send(line)
    deadline = quiet_since = time.monotonic()
    deadline += wait
    while time.monotonic() < deadline:
        fresh = follower.new_customer_service_messages()
        if fresh:
            seen += fresh
            quiet_since = time.monotonic()
        elif seen and time.monotonic() - quiet_since > 0.8:
            break
        time.sleep(0.2)
    return seen


def said(lines: List[Line], who: str = "bot") -> List[str]:
    return [line.text for line in lines if line.who == who]


def notify(bot: WeChatBot, *args: str) -> subprocess.CompletedProcess:
    """The operator's command, as typed in another terminal, pointed at this bot's database and WeChat stand-in."""
    env = {**os.environ, "BOT_DATABASE_URL": bot.database_url, "WECHAT_API_BASE_URL": bot.api.base_url,
           "WECHAT_APP_ID": WECHAT_APP_ID, "WECHAT_APP_SECRET": WECHAT_APP_SECRET, "WECHAT_REDIS_URL": ""}
    done = subprocess.run([sys.executable, "-m", "bot", "notify", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def bind_in_chat(bot: WeChatBot, follower: Follower, mobile: str) -> None:
    """Binding as a follower does it: the number, then the code from the SMS the chat shows."""
    chat(follower, "绑定手机号")
    sms = said(chat(follower, mobile), "sms")
    assert sms and sms[-1].startswith(f"{mobile[:3]}****{mobile[-4:]}")
    code = re.findall(r"(?<!\d)\d{6}(?!\d)", sms[-1].split("：", 1)[1])[-1]
    done = said(chat(follower, code))
    assert done and done[0].startswith("绑定成功")
    assert SqlCrm(bot.database_url).customer_for_openid(follower.openid).mobile == mobile


@pytest.mark.parametrize("answer", ["满意", "1"], ids=["words", "number"])
def test_the_runner_sends_the_repair_survey_to_the_chat_and_the_answer_counts_once(demo: WeChatBot, answer: str) -> None:
    crm, surveys, deliveries = SqlCrm(demo.database_url), SqlSurveyStore(demo.database_url), SqlDeliveryLog(demo.database_url)
    assert REPAIRED in [t.ticket_no for t in SqlRepairDesk(demo.database_url).completed_unrated_tickets()]
    owner = crm.customer_by_id(crm.broadband_line(crm.ticket_by_number(REPAIRED).line_id).customer_id)
    follower = chat_follower(demo)
    bind_in_chat(demo, follower, owner.mobile)
    before = surveys.stats(REPAIR)

    campaign = f"surveys-{uuid.uuid4().hex[:8]}"
    run = notify(demo, "run", "surveys", "--campaign", campaign)
    assert run.returncode == 0 and f"campaign {campaign}: 1 due, 1 sent" in run.stdout
    [delivery] = deliveries.deliveries(campaign)
    assert (delivery.openid, delivery.status, delivery.route) == (follower.openid, "sent", "customer_service")
    question = render("utter_survey_question_repair", {"ticket_no": REPAIRED})
    assert [(line.who, line.text) for line in follower.new_customer_service_messages()] == [("bot·客服", question)]

    # cron firing twice, and the next day's campaign while the survey is unanswered: nothing is sent again
    again = notify(demo, "run", "surveys", "--campaign", campaign)
    assert again.returncode == 0 and "0 sent" in again.stdout
    next_day = notify(demo, "run", "surveys", "--campaign", f"{campaign}-next")
    assert next_day.returncode == 0 and "0 sent" in next_day.stdout
    assert follower.new_customer_service_messages() == []

    thanks = said(chat(follower, answer))
    assert thanks == [render("utter_survey_thanks_ask_comment", {})]
    stored = surveys.latest(follower.openid)
    assert (stored.service_kind, stored.service_id, stored.scale, stored.score) == (REPAIR, REPAIRED, WORDS_SCALE, SATISFIED)
    after = surveys.stats(REPAIR)
    assert (after.asked, after.answered, after.satisfied) == (before.asked + 1, before.answered + 1, before.satisfied + 1)

    second = said(chat(follower, answer))
    assert second and render("utter_survey_thanks_ask_comment", {}) not in second
    assert surveys.stats(REPAIR) == after and surveys.latest(follower.openid) == stored

    answered = notify(demo, "run", "surveys", "--campaign", f"{campaign}-later")
    assert answered.returncode == 0 and f"campaign {campaign}-later: 0 due" in answered.stdout
    assert follower.new_customer_service_messages() == []


def test_a_dry_run_before_the_real_run_neither_asks_nor_spoils_the_answer(demo: WeChatBot) -> None:
    """The operator looks first (--dry-run), the follower chats meanwhile, then the real run sends the survey: the
    survey counts as asked from when it was sent, so the follower's answer to it counts."""
    crm, surveys = SqlCrm(demo.database_url), SqlSurveyStore(demo.database_url)
    owner = crm.customer_by_id(crm.broadband_line(crm.ticket_by_number(REPAIRED).line_id).customer_id)
    follower = chat_follower(demo)
    bind_in_chat(demo, follower, owner.mobile)
    before = surveys.stats(REPAIR)

    campaign = f"surveys-{uuid.uuid4().hex[:8]}"
    looked = notify(demo, "run", "surveys", "--campaign", campaign, "--dry-run")
    assert looked.returncode == 0 and f"{follower.openid}  survey  customer-service text: " in looked.stdout
    assert surveys.stats(REPAIR) == before and follower.new_customer_service_messages() == []   # nothing asked or sent
    assert said(chat(follower, "你好"))

    assert notify(demo, "run", "surveys", "--campaign", campaign).returncode == 0
    assert said(follower.new_customer_service_messages(), "bot·客服") == [render("utter_survey_question_repair", {"ticket_no": REPAIRED})]
    assert said(chat(follower, "满意")) == [render("utter_survey_thanks_ask_comment", {})]
    after = surveys.stats(REPAIR)
    assert (after.asked, after.answered, after.satisfied) == (before.asked + 1, before.answered + 1, before.satisfied + 1)


def test_after_an_agent_closes_the_session_a_numbered_answer_counts_once(demo: WeChatBot) -> None:
    surveys = SqlSurveyStore(demo.database_url)
    follower = chat_follower(demo)
    handed = chat(follower, "转人工")
    assert [line.who for line in handed][0] == "system" and said(handed, "bot·客服")   # transferred, the words follow
    before = surveys.stats(HANDOFF)

    closed = said(chat(follower, "/agent-close"))
    question = render("utter_survey_question_handoff", {})
    assert len(closed) == 1 and closed[0].startswith(question) and "\n1. 满意" in closed[0]
    asked = surveys.stats(HANDOFF)
    assert (asked.asked, asked.answered) == (before.asked + 1, before.answered)

    assert said(chat(follower, "1")) == [render("utter_survey_thanks_ask_comment", {})]
    stored = surveys.latest(follower.openid)
    assert (stored.service_kind, stored.scale, stored.score) == (HANDOFF, WORDS_SCALE, SATISFIED)
    after = surveys.stats(HANDOFF)
    assert (after.asked, after.answered, after.satisfied) == (asked.asked, asked.answered + 1, asked.satisfied + 1)

    chat(follower, "1")
    assert surveys.stats(HANDOFF) == after and surveys.latest(follower.openid) == stored
