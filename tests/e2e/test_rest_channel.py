"""The trained bot answers through Rasa's REST channel, as designers and the tests talk to it."""
import uuid

import requests

from bot.devstack import RunningBot


def say(bot: RunningBot, text: str, sender: str) -> list:
    """The texts of the reply; a message's buttons follow its text as "n. title" lines, numbered across the turn."""
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    response.raise_for_status()
    texts, number = [], 1
    for message in response.json():
        lines = [message.get("text", "")]
        for button in message.get("buttons") or []:
            lines.append(f"{number}. {button['title']}")
            number += 1
        texts.append("\n".join(line for line in lines if line))
    return texts


def test_greeting_then_menu(rest_bot: RunningBot) -> None:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    greeting = say(rest_bot, "你好", sender)
    assert len(greeting) == 1 and greeting[0].startswith("您好") and "智能客服" in greeting[0]
    menu = say(rest_bot, "菜单", sender)
    assert len(menu) == 1 and menu[0].startswith("请回复数字选择服务") and "10. 转人工客服" in menu[0]


def test_empty_and_whitespace_messages_get_the_polite_fallback(rest_bot: RunningBot) -> None:
    for text in ("", "   "):
        replies = say(rest_bot, text, f"rest-{uuid.uuid4().hex[:8]}")
        assert replies and "没太明白" in replies[0]


def test_conversation_survives_in_the_sql_tracker_store(rest_bot: RunningBot) -> None:
    import sqlite3

    sender = f"rest-{uuid.uuid4().hex[:8]}"
    say(rest_bot, "谢谢", sender)
    with sqlite3.connect(rest_bot.workdir / "tracker.db") as connection:
        rows = connection.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    assert rows > 0


def test_a_body_that_is_not_a_message_gets_400_not_500(rest_bot: RunningBot) -> None:
    for body in ([{"sender": "a", "message": "你好"}], {"message": "你好"}, {"sender": "a", "message": 5}):
        response = requests.post(f"{rest_bot.url}/webhooks/rest/webhook", json=body, timeout=30)
        assert response.status_code == 400 and response.json()["error"]


def test_a_long_message_is_cut_and_the_answer_says_so_first(rest_bot: RunningBot) -> None:
    replies = say(rest_bot, "你好" + "。" * 10_000, f"rest-{uuid.uuid4().hex[:8]}")
    assert replies[0].startswith("您的消息较长，我先看了前300个字") and len(replies) >= 2  # then the turn's answer
