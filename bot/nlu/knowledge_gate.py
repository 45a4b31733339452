"""An NLU component that does not answer from the knowledge base when no entry really fits.

DIET decides *that* a message is a knowledge-base question (intent `faq`) from its shape: "X怎么办", "X能不能Y"
look the same whether X is roaming or a tax refund. Answering "孕妇能吃螃蟹吗" with the entry on pregnant
passengers is worse than saying so: when the ResponseSelector's best entry has less than `min_confidence`, the
message becomes `nlu_fallback` — the bot then offers its closest entries ("您是不是想问") instead of answering with
one. Runs after the FallbackClassifier, like Rasa's own fallback it keeps the ranking for the fallback action.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class KnowledgeBaseGate(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "min_confidence": 0.15}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._retrieval_intent = config["retrieval_intent"]
        self._min_confidence = float(config["min_confidence"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KnowledgeBaseGate":
        return cls(config)

    def _best_entry_confidence(self, message: Message) -> float:
        selector = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self._retrieval_intent) or {}
        ranking = selector.get("ranking") or []
        return float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0) if ranking else 0.0

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != self._retrieval_intent:
                continue
            if self._best_entry_confidence(message) >= self._min_confidence:
                continue
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: self._min_confidence}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback, *(message.get(INTENT_RANKING_KEY) or [])], add_to_output=True)
        return messages
