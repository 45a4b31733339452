import uuid

import pytest

from actions.faults import (
    ActionAttachPhoto,
    ActionCreateTicket,
    ActionDiagnoseLine,
    ActionStartFaultReport,
    ActionSubscribeRestoreNotice,
    ValidateFaultForm,
    ValidateVisitSlotForm,
)
from actions.tickets import ActionCancelTicket, ActionConfirmCancelTicket, ActionQueryTicket, ActionRateTicket, ActionUrgeTicket
from bot import clock
from bot.backends import get_crm, get_repairs
from tests.actions.conftest import bind, make_tracker, run, validate


def bound(mobile: str) -> str:
    follower = f"o-f-{uuid.uuid4().hex[:8]}"
    bind(follower, mobile)
    return follower


def line_of(mobile: str, index: int = 0) -> str:
    crm = get_crm()
    return str(crm.broadband_lines(crm.customer_by_mobile(mobile).customer_id)[index].line_id)


# -- starting a report -------------------------------------------------------------------------------------
def test_unbound_reporter_is_sent_to_binding_first() -> None:
    result = run(ActionStartFaultReport(), make_tracker(text="宽带坏了"))
    assert result.slot("fault_stage") == "bind" and result.slot("pending_action") == "action_start_fault_report"


def test_single_line_is_chosen_and_the_symptom_taken_from_the_message() -> None:
    result = run(ActionStartFaultReport(), make_tracker(bound("13912345678"), text="光猫一直亮红灯",
                                                        entities=[{"entity": "fault_symptom", "value": "光猫红灯/LOS"}]))
    assert result.slot("fault_stage") == "collect"
    assert result.slot("fault_line") == line_of("13912345678") and result.slot("fault_symptom") == "光猫红灯/LOS"


def test_several_lines_are_left_for_the_follower_to_pick() -> None:
    result = run(ActionStartFaultReport(), make_tracker(bound("13800138000"), text="报修"))
    assert result.slot("fault_line") is None and result.slot("fault_symptom") is None


def test_customer_without_broadband() -> None:
    result = run(ActionStartFaultReport(), make_tracker(bound("15012340006"), text="报修"))
    assert result.slot("fault_stage") == "no_line" and "没有查到宽带" in result.text


def test_line_choice_by_number_or_account_and_never_someone_elses() -> None:
    follower = bound("13800138000")
    form = ValidateFaultForm()
    assert validate(form, "fault_line", "2", make_tracker(follower)).slot("fault_line") == line_of("13800138000", 1)
    assert validate(form, "fault_line", "02000000001", make_tracker(follower)).slot("fault_line") == line_of("13800138000")
    other = validate(form, "fault_line", "02000000002", make_tracker(follower))  # 李娜's account
    assert other.slot("fault_line") is None and "没有找到这条线路" in other.text


def test_what_an_unbound_reporter_said_is_used_once_bound() -> None:
    said = {"text": "02000000099 宽带又坏了", "intent": {"name": "report_fault"},
            "entities": [{"entity": "broadband_account", "value": "02000000099"}, {"entity": "fault_symptom", "value": "无法上网"}]}
    follower = f"o-{uuid.uuid4().hex[:10]}"
    first = run(ActionStartFaultReport(), make_tracker(follower, text=said["text"], entities=said["entities"]))
    assert first.slot("pending_request")["entities"] == said["entities"]
    bind(follower, "13800138000")
    resumed = run(ActionStartFaultReport(), make_tracker(follower, text="123456", slots={
        "pending_action": "action_start_fault_report", "pending_request": first.slot("pending_request")}))
    lines = get_crm().broadband_lines(get_crm().customer_by_mobile("13800138000").customer_id)
    assert resumed.slot("fault_line") == str(next(l.line_id for l in lines if l.account == "02000000099"))
    assert resumed.slot("fault_symptom") == "无法上网" and resumed.slot("pending_request") is None


def test_a_description_outside_the_categories_is_kept_in_the_followers_words() -> None:
    result = validate(ValidateFaultForm(), "fault_symptom", "路由器重启了也不行", make_tracker())
    assert result.slot("fault_symptom") == "路由器重启了也不行" and result.messages == []


def test_visit_slots_named_by_day_and_part_of_day() -> None:
    follower, line = bound("13912345678"), line_of("13912345678")
    offered = get_repairs().visit_slots(int(line), clock.now(), count=6)
    wanted = offered[-1]   # later than the three offered: still bookable by name
    starts = clock.aware(wanted.starts).astimezone(clock.zone())
    day, period = str((starts.date() - clock.today()).days), "am" if starts.hour < 12 else "pm"
    said = [{"entity": "visit_day", "value": day}, {"entity": "day_period", "value": period}]
    chosen = validate(ValidateVisitSlotForm(), "visit_slot", day, make_tracker(follower, slots={"fault_line": line}, entities=said))
    assert chosen.slot("visit_slot") == wanted.starts.isoformat()
    never = [{"entity": "visit_day", "value": "30"}]   # no slot a month ahead is offered
    refused = validate(ValidateVisitSlotForm(), "visit_slot", "30", make_tracker(follower, slots={"fault_line": line}, entities=never))
    assert refused.slot("visit_slot") is None and refused.responses == ["utter_visit_slot_unknown"]


# -- diagnosis outcomes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "mobile, stage, words",
    [("18812340004", "outage", "预计"), ("13612340002", "arrears", "欠费"), ("13912345678", "check_fix", "远程重置端口"),
     ("13512340003", "existing", "GZ2026112300123"), ("13712340001", "ticket", "光信号偏弱"), ("18912340005", "ticket", "线路和账号均正常")],
    ids=["area-outage", "arrears", "port-down-fixed", "open-ticket-exists", "low-optical-power", "no-fault"],
)
def test_each_diagnostic_outcome(mobile: str, stage: str, words: str) -> None:
    follower = bound(mobile)
    result = run(ActionDiagnoseLine(), make_tracker(follower, slots={"fault_line": line_of(mobile)}))
    assert result.slot("fault_stage") == stage and words in result.text


def test_auth_failure_is_fixed_remotely() -> None:
    follower = bound("13512340003")
    line = get_crm().broadband_line_by_account("02000000013")  # a generated customer's auth-failure line
    assert line.diagnosis == "auth_failure"
    bind(follower, get_crm().customer_by_id(line.customer_id).mobile)
    result = run(ActionDiagnoseLine(), make_tracker(follower, slots={"fault_line": str(line.line_id)}))
    assert result.slot("fault_stage") == "check_fix" and "重新认证" in result.text


def test_a_restore_notice_is_promised_only_for_a_line_in_an_outage() -> None:
    in_outage, healthy = bound("18812340004"), bound("18912340005")
    asked = run(ActionSubscribeRestoreNotice(), make_tracker(in_outage, slots={"fault_line": line_of("18812340004")}))
    assert asked.responses == ["utter_restore_notice_recorded"]
    assert (int(line_of("18812340004")), in_outage) in get_repairs().restore_notice_requests([int(line_of("18812340004"))])
    refused = run(ActionSubscribeRestoreNotice(), make_tracker(healthy, slots={"fault_line": line_of("18912340005")}))
    assert refused.responses == ["utter_restore_notice_no_outage"]
    assert get_repairs().restore_notice_requests([int(line_of("18912340005"))]) == []


# -- ticket creation ----------------------------------------------------------------------------------------
def test_slot_choice_then_ticket_with_the_photo_and_no_second_ticket() -> None:
    follower, line = bound("13712340001"), line_of("13712340001")
    chosen = validate(ValidateVisitSlotForm(), "visit_slot", "1", make_tracker(follower, slots={"fault_line": line}))
    assert chosen.slot("visit_slot")
    assert validate(ValidateVisitSlotForm(), "visit_slot", "9", make_tracker(follower, slots={"fault_line": line})).slot("visit_slot") is None
    slots = {"fault_line": line, "visit_slot": chosen.slot("visit_slot"), "fault_symptom": "光猫红灯/LOS",
             "fault_photo": "http://127.0.0.1/sim/photo.jpg"}
    created = run(ActionCreateTicket(), make_tracker(follower, slots=slots))
    assert "报修成功" in created.text and "已附上您发送的照片" in created.text
    again = run(ActionCreateTicket(), make_tracker(follower, slots=slots))
    assert "无需重复报修" in again.text and again.slot("fault_ticket") == created.slot("fault_ticket")


def test_photo_during_the_report_is_kept_for_the_ticket() -> None:
    events = [{"event": "user", "text": "/send_image", "metadata": {"wechat": {"pic_url": "http://127.0.0.1/p.jpg"}},
               "parse_data": {"intent": {"name": "send_image"}}}]
    tracker = make_tracker(bound("13712340001"), slots={"fault_stage": "collect"}, events=events)
    tracker.events.pop()  # the photo message itself is the latest user event
    result = run(ActionAttachPhoto(), tracker)
    assert result.slot("fault_photo") == "http://127.0.0.1/p.jpg"


# -- progress, urge, cancel, rate ----------------------------------------------------------------------------
def test_progress_with_none_one_and_several_tickets() -> None:
    assert "没有处理中的报修工单" in run(ActionQueryTicket(), make_tracker(bound("13612340002"), text="报修进度")).text
    one = run(ActionQueryTicket(), make_tracker(bound("13512340003"), text="报修进度")).text
    assert "GZ2026112300123" in one and "师傅已出发" in one and "韩师傅" in one
    several = run(ActionQueryTicket(), make_tracker(bound("13800138000"), text="报修进度")).text
    assert "GZ2026112200031" in several


def test_ticket_numbers_of_other_customers_are_not_found() -> None:
    text = run(ActionQueryTicket(), make_tracker(bound("13800138000"), text="查询工单GZ2026112300123",
                                                 entities=[{"entity": "ticket_number", "value": "GZ2026112300123"}])).text
    assert "没有查到工单 GZ2026112300123" in text and "韩师傅" not in text


def test_urge_once_an_hour() -> None:
    follower = bound("13512340003")
    assert "已为您催促" in run(ActionUrgeTicket(), make_tracker(follower, text="催单")).text
    assert "每小时可催单一次" in run(ActionUrgeTicket(), make_tracker(follower, text="催单")).text


def test_cancel_asks_first_and_then_cancels() -> None:
    follower = bound("13800138000")
    get_repairs()  # same database
    asked = run(ActionConfirmCancelTicket(), make_tracker(follower, text="撤单GZ2026112200031",
                                                          entities=[{"entity": "ticket_number", "value": "GZ2026112200031"}]))
    assert "确定要撤销" in asked.text and asked.slot("ticket_to_cancel") == "GZ2026112200031"
    done = run(ActionCancelTicket(), make_tracker(follower, slots={"ticket_to_cancel": "GZ2026112200031"}))
    assert "已撤销" in done.text


def test_rating_needs_stars_and_is_stored_once() -> None:
    follower = bound("13800138000")
    assert "打分" in run(ActionRateTicket(), make_tracker(follower, text="评价维修")).text
    four = [{"entity": "stars", "value": "4"}]   # "4星" or "四颗星", as NLU reads either
    assert "★★★★" in run(ActionRateTicket(), make_tracker(follower, text="四颗星 来得有点晚", entities=four)).text
    assert "已经评价过" in run(ActionRateTicket(), make_tracker(follower, text="5星", entities=[{"entity": "stars", "value": "5"}])).text
