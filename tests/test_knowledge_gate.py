"""The knowledge-base gate: a knowledge-base question is not answered with an entry the selector hardly believes."""
from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.knowledge_gate import KnowledgeBaseGate


def _parsed(intent: str, confidence: float, entries: List[float]) -> Message:
    message = Message(data={TEXT: "孕妇能吃螃蟹吗"})
    message.set(INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence})
    message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence}])
    ranking: List[Dict[str, Any]] = [{"intent_response_key": f"faq/entry{i}", PREDICTED_CONFIDENCE_KEY: c}
                                     for i, c in enumerate(entries)]
    message.set("response_selector", {"faq": {"ranking": ranking}})
    return message


@pytest.fixture()
def gate() -> KnowledgeBaseGate:
    return KnowledgeBaseGate({**KnowledgeBaseGate.get_default_config(), "min_confidence": 0.15})


def test_an_unlikely_best_entry_turns_the_question_into_a_fallback_that_keeps_the_ranking(gate: KnowledgeBaseGate) -> None:
    [message] = gate.process([_parsed("faq", 0.97, [0.08, 0.05, 0.04])])
    assert message.get(INTENT)[INTENT_NAME_KEY] == "nlu_fallback"
    names = [entry[INTENT_NAME_KEY] for entry in message.get(INTENT_RANKING_KEY)]
    assert names == ["nlu_fallback", "faq"]          # the fallback action still finds the faq share to suggest from
    assert message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/entry0"


@pytest.mark.parametrize("intent, entries", [("faq", [0.4, 0.1]), ("query_bill", [0.01]), ("faq", [0.15])])
def test_a_likely_entry_or_another_intent_is_left_alone(gate: KnowledgeBaseGate, intent: str, entries: List[float]) -> None:
    [message] = gate.process([_parsed(intent, 0.9, entries)])
    assert message.get(INTENT) == {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 0.9}
