"""WeChat's kf_close_session: the bot takes over again and asks about the agent's service (no free-text turn)."""
from channels.wechat.content import load_content
from channels.wechat.inbound import AGENT_DONE, IGNORE, read_inbound

EVENT = """<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[o-kf]]></FromUserName>
<CreateTime>1795000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>
<KfAccount><![CDATA[test1@test]]></KfAccount></xml>"""


def test_a_closed_agent_session_becomes_the_survey_intent_with_its_time() -> None:
    inbound = read_inbound(EVENT.format(event="kf_close_session"), load_content())
    assert inbound.action == AGENT_DONE and inbound.text == "/agent_session_closed"
    assert inbound.metadata["wechat"]["create_time"] == 1795000000 and not inbound.is_user_message


def test_other_kf_events_start_nothing() -> None:
    assert read_inbound(EVENT.format(event="kf_create_session"), load_content()).action == IGNORE
