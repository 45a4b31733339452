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


def test_a_complaint_is_never_overridden_by_a_flow_but_a_restart_word_is() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.keyword_handoff import KeywordHandoffClassifier

    classifier = KeywordHandoffClassifier({"intent": "human_handoff", "unless_intents": ["report_fault", "fault_not_fixed"],
                                           "unless_confidence": 0.5})
    complaint = Message(data={"text": "我要投诉 宽带修了三次还不好", "intent": {"name": "report_fault", "confidence": 0.9}})
    answer = Message(data={"text": "重启了也不行", "intent": {"name": "fault_not_fixed", "confidence": 0.9}})
    classifier.process([complaint, answer])
    assert complaint.get("intent")["name"] == "human_handoff"
    assert answer.get("intent")["name"] == "fault_not_fixed"
