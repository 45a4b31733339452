"""The exact-example classifier: a message that is one of the designers' examples gets that example's intent."""
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.exact_examples import ExactExampleClassifier, canonical

EXAMPLES: List[Tuple[str, str]] = [
    ("行", "affirm"), ("好的", "affirm"), ("不用了", "deny"),
    ("查余额", "query_balance"),
    ("可以", "affirm"), ("可以", "fault_fixed"),          # the same text in two intents: nobody's example
    ("我想查一下我这个月到底花了多少话费呢", "query_bill"),   # longer than max_chars: left to DIET
]


def _classified(text: str, predicted: str = "faq", confidence: float = 0.4) -> Dict:
    message = Message(data={TEXT: text})
    message.set(INTENT, {INTENT_NAME_KEY: predicted, PREDICTED_CONFIDENCE_KEY: confidence})
    message.set(INTENT_RANKING_KEY, [{INTENT_NAME_KEY: predicted, PREDICTED_CONFIDENCE_KEY: confidence},
                                     {INTENT_NAME_KEY: "affirm", PREDICTED_CONFIDENCE_KEY: 0.3}])
    return message


@pytest.fixture()
def trained_and_loaded(tmp_path: Path) -> ExactExampleClassifier:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("exact_examples")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**ExactExampleClassifier.get_default_config()}
    trainer = ExactExampleClassifier.create(config, storage, resource, context)
    trainer.train(TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES]))
    return ExactExampleClassifier.load(config, storage, resource, context)


@pytest.mark.parametrize("typed, intent", [("行", "affirm"), ("好的！", "affirm"), (" 好 的 ", "affirm"),
                                           ("不用了。", "deny"), ("查余额", "query_balance")])
def test_a_message_that_is_an_example_gets_its_intent_with_full_confidence(
        trained_and_loaded: ExactExampleClassifier, typed: str, intent: str) -> None:
    [message] = trained_and_loaded.process([_classified(typed)])
    assert message.get(INTENT) == {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    assert [entry[INTENT_NAME_KEY] for entry in ranking].count(intent) == 1


@pytest.mark.parametrize("typed", ["可以", "行不行啊", "我想查一下我这个月到底花了多少话费呢", "随便说点什么"])
def test_ambiguous_long_or_unknown_messages_keep_the_classifiers_decision(
        trained_and_loaded: ExactExampleClassifier, typed: str) -> None:
    [message] = trained_and_loaded.process([_classified(typed, "query_bill", 0.55)])
    assert message.get(INTENT) == {INTENT_NAME_KEY: "query_bill", PREDICTED_CONFIDENCE_KEY: 0.55}


def test_canonical_form_ignores_case_spaces_and_punctuation() -> None:
    assert canonical(" OK！") == canonical("ok") == "ok"
    assert canonical("好的，") == "好的"
