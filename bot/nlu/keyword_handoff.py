"""An NLU component that sends messages with a handoff keyword (data/handoff.yml) straight to `human_handoff`.

It runs after the FallbackClassifier, so a keyword wins over a fallback and over unrelated intents. It does not
win over an answer the classifier is sure of (`unless_intents`, e.g. "重启了也不行" answering the bot's own
"does it work now?" is `fault_not_fixed`): must-reach-a-person keywords are judged in the message's context.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.handoff import load_handoff_rules


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class KeywordHandoffClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "human_handoff", "rules_file": None, "unless_intents": [], "unless_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = config["intent"]
        self._rules_file = Path(config["rules_file"]) if config.get("rules_file") else None
        self._unless_intents = set(config.get("unless_intents") or [])
        self._unless_confidence = float(config.get("unless_confidence", 0.6))

    def _answers_a_flow(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        return (intent.get(INTENT_NAME_KEY) in self._unless_intents
                and float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self._unless_confidence)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KeywordHandoffClassifier":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        rules = load_handoff_rules(self._rules_file)
        for message in messages:
            keyword: Optional[str] = rules.keyword_in(message.get(TEXT) or "")
            overridable = keyword not in rules.always   # 投诉 reaches a person even inside a flow
            if keyword and not (message.get(TEXT) or "").startswith("/") and not (overridable and self._answers_a_flow(message)):
                message.set(INTENT, {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
        return messages
