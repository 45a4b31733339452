"""Must-reach-a-person keywords (data/handoff.yml): asked for, they count; declined right before, they do not."""
import pytest

from bot.handoff import load_handoff_rules


@pytest.mark.parametrize("text, keyword", [
    ("转人工", "转人工"), ("我要投诉你们", "投诉"), ("手机一直重启", "重启"),
    ("不用转人工 我自己查下话费", None), ("别转人工，我查余额", None), ("不要人工客服", None),
    ("不用了，我要投诉", "投诉"),          # the negation belongs to something else
    ("查下余额", None),
])
def test_keywords_count_unless_declined(text: str, keyword) -> None:
    assert load_handoff_rules().keyword_in(text) == keyword
