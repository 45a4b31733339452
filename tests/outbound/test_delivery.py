"""One message's way to the follower against the stand-in's fake WeChat API: the 48-hour window and quotas
choose customer-service or template, WeChat's 2023 template rules are enforced before sending, and every WeChat
answer becomes a recorded outcome."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.backends.interactions import EVENT
from bot.backends.sql.interactions import SqlInteractionLog
from bot.outbound.config import TemplateSpec
from bot.outbound.delivery import Deliverer
from bot.outbound.template_rules import violations
from bot.outbound.wording import render
from bot.wechat_sim.api import FakeWeChatApi
from tests.outbound.conftest import NOW, TEMPLATES, chatted, deliverer, outage_message, outbound_api


def _cs_texts(api: FakeWeChatApi) -> list:
    return [m["body"]["text"]["content"] for m in api.state.inbox if m["body"].get("msgtype") == "text"]


# -- the window rule ---------------------------------------------------------------------------------------
def test_inside_48_hours_of_a_message_the_domain_response_goes_as_customer_service_text(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-recent", timedelta(hours=47))
    outcome = deliverer(api, db).deliver(outage_message("o-recent"), "c1", NOW)
    assert (outcome.status, outcome.route) == ("sent", "customer_service")
    expected = render("utter_outbound_outage_notice", outage_message("o-recent").values)
    assert _cs_texts(api) == [expected] and "荔湾区" in expected and "光缆抢修" in expected and "18:00" in expected
    assert api.state.template_sends() == []


def test_after_48_hours_a_consented_follower_gets_the_template(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-old", timedelta(hours=49))
    outcome = deliverer(api, db).deliver(outage_message("o-old"), "c1", NOW)
    assert (outcome.status, outcome.route) == ("sent", "template") and outcome.msgid
    [body] = api.state.template_sends("o-old")
    assert body["template_id"] == TEMPLATES["outage_notice"].template_id
    assert body["data"] == {"thing1": {"value": "荔湾区"}, "time2": {"value": "2026-11-25 18:00"}, "thing3": {"value": "光缆抢修"}}
    assert len(body["client_msg_id"]) == 32 and _cs_texts(api) == []


def test_a_follower_never_seen_without_consent_is_skipped(api: FakeWeChatApi, db: str) -> None:
    outcome = deliverer(api, db).deliver(outage_message("o-stranger", consented=False), "c1", NOW)
    assert (outcome.status, outcome.reason) == ("skipped", "no_template_consent")
    assert api.state.counters["template"] == 0 and api.state.counters["send"] == 0


def test_a_menu_click_allows_three_messages_within_a_minute_then_templates(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-click", timedelta(seconds=10), kind=EVENT)
    routes = [deliverer(api, db).deliver(outage_message("o-click"), f"c{i}", NOW).route for i in range(4)]
    assert routes == ["customer_service"] * 3 + ["template"]
    assert SqlInteractionLog(db).latest("o-click").event_sends == 3


def test_a_click_more_than_a_minute_ago_no_longer_opens_the_window(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-click-old", timedelta(seconds=61), kind=EVENT)
    assert deliverer(api, db).deliver(outage_message("o-click-old"), "c1", NOW).route == "template"


def test_five_customer_service_messages_per_follower_message_then_templates(api: FakeWeChatApi, db: str) -> None:
    chatted(api, db, "o-five", timedelta(minutes=5))
    routes = [deliverer(api, db).deliver(outage_message("o-five"), f"c{i}", NOW).route for i in range(6)]
    assert routes == ["customer_service"] * 5 + ["template"]
    assert api.state.counters["send"] == 5   # the sixth was never tried by customer-service API


@pytest.mark.parametrize("errcode", [45015, 45047])
def test_wechat_closing_the_window_falls_back_to_the_template(api: FakeWeChatApi, db: str, errcode: int) -> None:
    chatted(api, db, "o-w", timedelta(hours=1))
    api.state.fail_next["send"] = [errcode]
    outcome = deliverer(api, db).deliver(outage_message("o-w"), "c1", NOW)
    assert (outcome.status, outcome.route) == ("sent", "template") and len(api.state.template_sends("o-w")) == 1


@pytest.mark.parametrize("errcode, reason", [(45015, "window_closed"), (45047, "cs_quota")])
def test_window_closed_without_consent_is_recorded_with_wechats_code(api: FakeWeChatApi, db: str, errcode: int, reason: str) -> None:
    chatted(api, db, "o-w", timedelta(hours=1))
    api.state.fail_next["send"] = [errcode]
    outcome = deliverer(api, db).deliver(outage_message("o-w", consented=False), "c1", NOW)
    assert (outcome.status, outcome.errcode, outcome.reason) == ("skipped", errcode, "no_template_consent")
    assert api.state.counters["template"] == 0


# -- WeChat's 2023 template rules, before sending ----------------------------------------------------------
@pytest.mark.parametrize("fields, problem", [
    ({"cause": "光缆被施工挖断正在紧急抢修预计今晚恢复请耐心等待"}, "characters > 20"),
    ({"cause": "光缆抢修\n请等待"}, "line break"),
    ({"cause": "光缆抢修🔧"}, "emoji"),
    ({"cause": ""}, "empty"),
], ids=["over-20-characters", "line-break", "emoji", "empty"])
def test_a_template_breaking_the_rules_is_never_sent(api: FakeWeChatApi, db: str, fields: dict, problem: str) -> None:
    outcome = deliverer(api, db).deliver(outage_message("o-rules", **fields), "c1", NOW)
    assert outcome.status == "failed" and outcome.reason.startswith("template_rules") and problem in outcome.reason
    assert api.state.counters["template"] == 0


@pytest.mark.parametrize("keyword", ["first", "remark"])
def test_first_and_remark_fields_are_refused(api: FakeWeChatApi, db: str, keyword: str) -> None:
    templates = {"outage_notice": TemplateSpec("outage_notice", "dev-outage-notice", {keyword: "area", "thing3": "cause"})}
    outcome = deliverer(api, db, templates).deliver(outage_message("o-rules"), "c1", NOW)
    assert outcome.status == "failed" and f"{keyword} field" in outcome.reason and api.state.counters["template"] == 0


def test_colours_are_refused() -> None:
    assert violations({"data": {"thing1": {"value": "荔湾区", "color": "#FF0000"}}}) == ["thing1: colour"]
    assert violations({"topcolor": "#FF0000", "data": {"thing1": {"value": "荔湾区"}}}) == ["colour"]
    assert violations({"data": {"thing1": {"value": "荔湾区"}}}) == []


def test_an_unconfigured_template_name_is_a_failure_not_a_send(api: FakeWeChatApi, db: str) -> None:
    outcome = Deliverer(outbound_api(api), SqlInteractionLog(db), {}).deliver(outage_message("o-x"), "c1", NOW)
    assert (outcome.status, outcome.reason) == ("failed", "template_not_configured")


# -- WeChat's answers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("errcode, reason, stops", [
    (43004, "not_following", False), (43101, "refused", False), (40037, "bad_template_id", False),
    (47003, "bad_data", False), (45009, "daily_quota", True),
])
def test_each_template_error_becomes_a_defined_outcome(api: FakeWeChatApi, db: str, errcode: int, reason: str, stops: bool) -> None:
    api.state.fail_openids["o-err"] = errcode
    outcome = deliverer(api, db).deliver(outage_message("o-err"), "c1", NOW)
    assert (outcome.status, outcome.route, outcome.errcode, outcome.reason, outcome.stop_run) == ("failed", "template", errcode, reason, stops)
    assert api.state.template_sends() == []


def test_the_stand_in_itself_refuses_unknown_templates_and_long_values(api: FakeWeChatApi) -> None:
    client = outbound_api(api)
    assert client.send_template({"touser": "o", "template_id": "nope", "data": {"thing1": {"value": "x"}}}).errcode == 40037
    long = {"touser": "o", "template_id": "dev-outage-notice", "data": {"thing1": {"value": "x" * 21}}}
    assert client.send_template(long).errcode == 47003
    api.state.unsubscribed.add("o-gone")
    gone = {"touser": "o-gone", "template_id": "dev-outage-notice", "data": {"thing1": {"value": "x"}}}
    assert client.send_template(gone).errcode == 43004


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_a_token_error_is_refreshed_once_and_the_send_retried(api: FakeWeChatApi, db: str, errcode: int) -> None:
    api.state.fail_next["template"] = [errcode]
    outcome = deliverer(api, db).deliver(outage_message("o-tok"), "c1", NOW)
    assert (outcome.status, outcome.route) == ("sent", "template")
    assert api.state.counters["token"] == 2 and len(api.state.template_sends("o-tok")) == 1


def test_a_token_error_that_persists_stops_the_run_after_one_refresh(api: FakeWeChatApi, db: str) -> None:
    api.state.failures["template"] = 40001
    outcome = deliverer(api, db).deliver(outage_message("o-tok"), "c1", NOW)
    assert (outcome.status, outcome.reason, outcome.stop_run) == ("failed", "token_error", True)
    assert api.state.counters["template"] == 2 and api.state.counters["token"] == 2
