"""Self-service flows end to end through Rasa's REST channel: NLU, rules, forms and the real action server."""
import json
import re
import uuid
from typing import List

from bot.devstack import RunningBot
from tests.e2e.test_rest_channel import say


def follower() -> str:
    return f"rest-{uuid.uuid4().hex[:10]}"


def sms_code(bot: RunningBot, mobile: str) -> str:
    lines = [json.loads(line) for line in (bot.workdir / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    return re.search(r"\d{6}", [item for item in lines if item["mobile"] == mobile][-1]["text"]).group(0)


def conversation(bot: RunningBot, sender: str, *texts: str) -> List[List[str]]:
    return [say(bot, text, sender) for text in texts]


def test_unbound_balance_question_is_answered_after_binding(rest_bot: RunningBot) -> None:
    sender = follower()
    asked, number = conversation(rest_bot, sender, "我还有多少话费", "13800138000")
    assert "先绑定" in asked[0] and "11位手机号码" in asked[1]
    assert "138****8000" in number[0] and "验证码已通过短信发送" in number[0]
    (done,) = conversation(rest_bot, sender, sms_code(rest_bot, "13800138000"))
    assert done[0].startswith("绑定成功") and "当前账户余额 86.50 元" in done[1]
    (again,) = conversation(rest_bot, sender, "查下余额")
    assert again == ["138****8000 当前账户余额 86.50 元。"]


def test_wrong_codes_lock_out_and_invalid_numbers_are_explained(rest_bot: RunningBot) -> None:
    sender = follower()
    replies = conversation(rest_bot, sender, "绑定手机号", "12345", "13912345678", "000001", "000002", "000003", "查流量")
    assert "5位" in replies[1][0]
    assert "还可以再试2次" in replies[3][0] and "还可以再试1次" in replies[4][0]
    assert "之后再试" in replies[5][0]
    assert "先绑定" in replies[6][0]  # nothing was bound


def test_menu_number_and_a_number_that_matches_nothing(rest_bot: RunningBot) -> None:
    sender = follower()
    menu, wrong, pick, stale = conversation(rest_bot, sender, "菜单", "15", "第九个", "3")
    assert "9. 附近营业厅" in menu[0]
    assert "编号 15" in wrong[0] and "1 到 10" in wrong[0]
    assert "发送您的位置" in pick[0]        # the menu still answers after a wrong number
    assert "没有待选的编号" in stale[0]    # but not once the bot has moved on to another question


def test_faq_answer_and_two_fallbacks_offer_a_human(rest_bot: RunningBot) -> None:
    sender = follower()
    answer, first, second = conversation(rest_bot, sender, "营业厅周末上班吗", "zxqwv", "pqowiek")
    assert "营业" in answer[0]
    assert "换个说法" in first[0] or "您是不是想问" in first[0]
    assert "转接人工" in second[0]
    (human,) = conversation(rest_bot, sender, "1")
    assert "转接人工" in human[0]


def test_keyword_always_reaches_a_person(rest_bot: RunningBot) -> None:
    (reply,) = conversation(rest_bot, follower(), "我的手机老是死机")
    assert "转接人工" in reply[0]


def test_service_halls_from_a_location(rest_bot: RunningBot) -> None:
    (reply,) = conversation(rest_bot, follower(), '/share_location{"latitude": 23.1262, "longitude": 113.2700}')
    assert reply[0].startswith("离您最近的营业厅") and "1. 北京路营业厅（0.0公里）" in reply[0]
