"""An NLU component that second-guesses knowledge-base answers with a detector of out-of-domain messages.

For the intent classifiers `out_of_scope` is one class against 39, and an everyday question shaped like a
knowledge-base question can be confidently `faq`: its shape matches thousands of faq examples.
This detector answers one question only, in-domain or not, with a linear model on tf-idf weighted n-grams
(bot/nlu/tfidf_linear.py) trained on the `out_of_scope` examples against all the others, classes weighted equally.
When a message was classified as one of `checked_intents` (the knowledge base's `faq`) and the detector is at least
`threshold` sure, it becomes `out_of_scope`. Checking the dialogue intents as well overruled real requests
(「你能帮我做什么」, 「我想提前选座位」) as often as it caught out-of-domain ones (README "NLU quality").
"""
from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from sklearn.pipeline import Pipeline

from bot.nlu.tfidf_linear import TfidfLinearComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OutOfDomainDetector(TfidfLinearComponent, IntentClassifier):
    class_weight = "balanced"   # 1 388 out-of-domain examples against 10 907 others

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **TfidfLinearComponent.get_default_config(),
            "out_of_domain_intent": "out_of_scope",
            "threshold": 0.75,
            "checked_intents": ["faq"],     # the intents whose predictions it may overrule
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Pipeline] = None) -> None:
        super().__init__(config, model_storage, resource, model)
        self._intent = self._config["out_of_domain_intent"]
        self._checked = set(self._config["checked_intents"]) - {self._intent, DEFAULT_NLU_FALLBACK_INTENT_NAME}

    def _label(self, message: Message) -> Hashable:
        return message.get(INTENT) == self._intent

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) not in self._checked:
                continue
            probability = (self._probabilities(message) or {}).get(True, 0.0)
            if probability < self._config["threshold"]:
                continue
            verdict = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: probability}
            others = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                      if entry.get(INTENT_NAME_KEY) != self._intent]
            message.set(INTENT, verdict, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [verdict, *others], add_to_output=True)
        return messages
