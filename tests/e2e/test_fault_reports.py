"""Broadband fault reports end to end through Rasa's REST channel, and a photo through the WeChat channel."""
import uuid

from bot.backends.sql.crm import SqlCrm
from bot.devstack import RunningBot
from tests.e2e.test_self_service import conversation, sms_code


def bound_follower(bot: RunningBot, mobile: str) -> str:
    sender = f"rest-{uuid.uuid4().hex[:10]}"
    conversation(bot, sender, "绑定", mobile)
    (done,) = conversation(bot, sender, sms_code(bot, mobile))
    assert done[0].startswith("绑定成功")
    return sender


def test_report_remote_repair_fails_slot_ticket_progress_urge_cancel(rest_bot: RunningBot) -> None:
    sender = bound_follower(rest_bot, "13912345678")  # 李娜: port down, fixable remotely
    start, diagnosed = conversation(rest_bot, sender, "我要报修", "网速特别慢")
    assert "故障现象" in start[0]
    assert any("远程重置端口" in text for text in diagnosed) and "现在可以正常上网了吗" in diagnosed[-1]
    slots, ticket = conversation(rest_bot, sender, "还是不行", "1")
    assert "上门时间" in slots[0]
    assert ticket[0].startswith("报修成功！工单号 GZ")
    number = ticket[0].split("工单号 ")[1].split("，")[0]
    progress, urged, cancel_asked, cancelled = conversation(rest_bot, sender, "报修进度", "催单", "撤单", "确定")
    assert number in progress[0] and "已派单" in progress[0]
    assert "已为您催促" in urged[0]
    assert "确定要撤销" in cancel_asked[0]
    assert f"工单 {number} 已撤销" in cancelled[0]


def test_second_report_on_a_line_with_an_open_ticket_returns_it(rest_bot: RunningBot) -> None:
    sender = bound_follower(rest_bot, "13512340003")  # 陈静: a technician is already on the way
    (reply,) = conversation(rest_bot, sender, "宽带频繁掉线")
    assert any("GZ2026112300123" in text and "无需重复报修" in text for text in reply)


def test_area_outage_and_arrears(rest_bot: RunningBot) -> None:
    outage = conversation(rest_bot, bound_follower(rest_bot, "18812340004"), "宽带上不了网")[0]
    assert any("区域正在进行线路抢修" in text for text in outage)
    arrears = conversation(rest_bot, bound_follower(rest_bot, "13612340002"), "宽带用不了")[0]
    assert any("欠费停机" in text for text in arrears)


def test_unbound_reporter_binds_then_reports(rest_bot: RunningBot) -> None:
    sender = f"rest-{uuid.uuid4().hex[:10]}"
    asked, number = conversation(rest_bot, sender, "光猫亮红灯了", "13712340001")
    assert "报修前需要先绑定" in asked[0]
    (after,) = conversation(rest_bot, sender, sms_code(rest_bot, "13712340001"))
    assert after[0].startswith("绑定成功") and any("光信号偏弱" in text for text in after)
    assert "上门时间" in after[-1]


def test_photo_sent_during_a_report_through_wechat_is_on_the_ticket(wechat_bot) -> None:
    from bot.wechat_sim.messages import MessageFactory

    platform, openid = wechat_bot.platform("safe"), f"o-photo-{uuid.uuid4().hex[:8]}"
    crm = SqlCrm(wechat_bot.database_url)
    crm.bind_openid(openid, crm.customer_by_mobile("18912340005").customer_id)  # 赵敏: no fault found → visit
    messages = MessageFactory(platform.config.account, openid)
    assert "故障现象" in platform.push(messages.text("报修"), openid).reply.content
    assert "附在本次报修" in platform.push(messages.image("http://127.0.0.1/sim/router.jpg"), openid).reply.content
    assert "上门时间" in platform.push(messages.text("无法上网"), openid).reply.content
    created = platform.push(messages.text("1"), openid).reply.content
    assert "报修成功" in created and "已附上您发送的照片" in created
    number = created.split("工单号 ")[1].split("，")[0]
    from sqlalchemy import select

    from bot.backends.sql import models as m
    from bot.backends.sql.database import session_factory

    with session_factory(wechat_bot.database_url)() as session:
        row = session.execute(select(m.FaultTicketRow).where(m.FaultTicketRow.ticket_no == number)).scalar_one()
    assert row.photo_url == "http://127.0.0.1/sim/router.jpg"
