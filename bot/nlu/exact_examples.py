"""An NLU component that trusts the training data for messages identical to one of its examples.

DIET spreads its confidence over 40 intents and a hundred knowledge-base entries. For the shortest answers
(「行」「对」「好的」「是的」) its features are a character or two shared with many other examples, so it names the
right intent with a confidence under the FallbackClassifier's threshold and a follower's plain "yes" inside a
flow becomes "sorry, I did not understand". A message that *is* an example a designer wrote (after the
normaliser, ignoring case, spaces and end punctuation) is classified as that example's intent with full
confidence — unless designers used the same text for two intents, then the classifier decides as before.

Runs after the classifiers and before the FallbackClassifier. Nothing here is a word list: the table is built
from data/nlu at training time and stored in the model.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY,
                                       TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_TABLE_FILE = "exact_examples.json"
# Spaces and the punctuation followers put around a short answer do not change what it says.
_IGNORED = re.compile(r"[\s\u3000.,!?;:~…。，！？；：、～\"'“”‘’()（）\[\]【】]+")


def canonical(text: str) -> str:
    """The form two messages share when they say the same thing (case, spaces, punctuation aside)."""
    return _IGNORED.sub("", text).lower()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ExactExampleClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Longer messages are left to DIET: an exact copy of a long example is rare and DIET is sure of it anyway.
        return {"max_chars": 12}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 table: Optional[Dict[str, str]] = None) -> None:
        self._max_chars = int(config.get("max_chars", 12))
        self._storage = model_storage
        self._resource = resource
        self._table: Dict[str, str] = table or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ExactExampleClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ExactExampleClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                table = json.loads((directory / _TABLE_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            table = {}
        return cls(config, model_storage, resource, table)

    def train(self, training_data: TrainingData) -> Resource:
        intents: Dict[str, Set[str]] = defaultdict(set)
        for example in training_data.intent_examples:
            text = canonical(example.get(TEXT) or "")
            if text and len(text) <= self._max_chars:
                intents[text].add(example.get(INTENT))
        self._table = {text: next(iter(names)) for text, names in intents.items() if len(names) == 1}
        with self._storage.write_to(self._resource) as directory:
            (directory / _TABLE_FILE).write_text(json.dumps(self._table, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = self._table.get(canonical(message.get(TEXT) or ""))
            if intent:
                self._promote(message, intent)
        return messages

    @staticmethod
    def _promote(message: Message, intent: str) -> None:
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) != intent]
        chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
