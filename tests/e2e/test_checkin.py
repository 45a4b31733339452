"""Flight check-in end to end: REST (text boarding pass) and WeChat (the boarding pass as an article)."""
import uuid

from bot.backends.sql.crm import SqlCrm
from bot.devstack import RunningBot
from bot.wechat_sim.messages import MessageFactory
from tests.e2e.test_self_service import conversation


def follower() -> str:
    return f"rest-{uuid.uuid4().hex[:10]}"


def test_menu_number_starts_check_in_by_ticket_number_random_seat(rest_bot: RunningBot) -> None:
    sender = follower()
    replies = conversation(rest_bot, sender, "菜单", "8", "7842100000006", "王芳", "随机", "确认")
    assert "航班值机" in replies[0][0]
    assert "身份证号码" in replies[1][0]
    assert any("CZ3501" in text for text in replies[3])
    assert "★" in replies[4][0]
    issued = "\n".join(replies[5])
    assert issued.startswith("值机成功") and "CZ3501" in issued and "王*" in issued and "登机牌号：BP" in issued
    (again,) = conversation(rest_bot, sender, "我的登机牌")
    assert again[0].startswith("您的电子登机牌") and "CZ3501" in again[1]


def test_unknown_passenger_and_closed_window(rest_bot: RunningBot) -> None:
    sender = follower()
    replies = conversation(rest_bot, sender, "值机", "7842100000004", "李娜")
    assert "完整姓名" in replies[1][0] and "没有查到" in replies[2][0]
    replies = conversation(rest_bot, sender, "7842100000004", "张", "张伟")
    assert "完整姓名" in replies[1][0] and "CZ6301" not in "\n".join(replies[1])   # a surname alone is not enough
    assert any("网上值机已截止" in text for text in replies[2])


def test_boarding_pass_arrives_as_a_wechat_article(wechat_bot) -> None:
    platform, openid = wechat_bot.platform("safe"), f"o-cki-{uuid.uuid4().hex[:8]}"
    wechat_bot.api.state.record_interaction(openid, "message")
    crm = SqlCrm(wechat_bot.database_url)
    crm.bind_openid(openid, crm.customer_by_mobile("13712340001").customer_id)  # 王芳, one open flight
    messages = MessageFactory(platform.config.account, openid)
    started = platform.push(messages.click("MENU_CHECKIN"), openid).reply.content
    assert "CZ3501" in started and "请选择座位" in started
    assert "★" in platform.push(messages.text("靠过道"), openid).reply.content
    issued = platform.push(messages.text("确认"), openid)
    # the words first (passive reply), then exactly one pass: the article, by customer-service message
    assert issued.accepted and issued.reply.msg_type == "text" and issued.reply.content.startswith("值机成功")
    assert "登机牌号" not in issued.reply.content
    from tests.e2e.test_wechat_channel import inbox

    later = inbox(wechat_bot, openid, wait=5)
    assert [m["msgtype"] for m in later] == ["news"]
    assert "电子登机牌 CZ3501" in later[0]["news"]["articles"][0]["title"]
