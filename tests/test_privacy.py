import logging

import pytest

from bot.logs import log_event
from bot.privacy import mask_id_card, mask_mobile, mask_name, redact


def test_mobile_keeps_prefix_and_last_four() -> None:
    assert mask_mobile("13800138000") == "138****8000"


def test_id_card_keeps_first_and_last_four() -> None:
    assert mask_id_card("440106198503120015") == "4401**********0015"


def test_name_keeps_only_the_surname() -> None:
    assert mask_name("张三丰") == "张**"


def test_redact_masks_numbers_inside_chinese_text_without_touching_other_digits() -> None:
    text = "绑定13800138000，身份证44010619951102004X，工单GZ2026112300123"
    assert redact(text) == "绑定138****8000，身份证4401**********004X，工单GZ2026112300123"


def test_log_lines_are_key_value_and_never_contain_a_full_number(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="t"):
        log_event(logging.getLogger("t"), "bind", mobile="13912345678", id_card="440106198503120015", sent=1)
    assert caplog.messages == ["bind mobile=139****5678 id_card=4401**********0015 sent=1"]


def test_review_transcripts_mask_ticket_and_e_ticket_numbers_too() -> None:
    from bot.privacy import redact_for_review

    masked = redact_for_review("工单 GZ2026112200031，客票 7842100000001，手机 13800138000，证件 440106198503120015")
    assert "GZ2026112200031" not in masked and "GZ2026*****0031" in masked
    assert "7842100000001" not in masked and "784******0001" in masked
    assert "13800138000" not in masked and "440106198503120015" not in masked


@pytest.mark.parametrize("number, is_ticket", [
    ("GZ2026112200031", True),
    ("gz2026112200031", True),
    ("7842100000001", True),
    ("784-2100000001", True),
    ("GZ20261122000311", False),      # one digit too many
    ("XGZ2026112200031", False),      # part of a longer code
    ("GZ2026112200031５", False),     # followed by a full-width digit: still one digit too many
    ("78421000000012", False),
])
def test_masking_and_synthetic_training_data_recognise_the_same_ticket_numbers(number: str, is_ticket: bool) -> None:
    """A number the console masks is one the trainers' inbox replaces, and the other way round."""
    from bot.privacy import redact_for_review
    from bot.trainers.synthetic import synthesize

    text = f"单号 {number} 谢谢"
    assert (number not in redact_for_review(text)) is is_ticket
    assert (number not in synthesize(text)) is is_ticket
