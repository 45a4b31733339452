"""A second intent classifier, linear on tf-idf weighted n-grams, whose probabilities are blended with DIET's.

DIET without transformer layers learns one dense mapping of all n-grams, and it is confidently wrong in a way a
tf-idf weighted linear model is not: rare, telling words (猪肉, 飞行模式, 认证失败) count for more in the linear model,
frequent question shapes ("X怎么办", "X能不能Y") for less. The two err on different messages, so their blend is
right more often than either (README "NLU quality"). The model (bot/nlu/tfidf_linear.py) fits 12 000 examples in
seconds; it runs after DIET and replaces DIET's intent and ranking with `weight · linear + (1 − weight) · DIET`, so
the FallbackClassifier after it judges the blended confidence.
"""
from __future__ import annotations

from typing import Any, Dict, Hashable, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tfidf_linear import TfidfLinearComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentBlend(TfidfLinearComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **TfidfLinearComponent.get_default_config(),
            "weight": 0.7,           # the linear model's share of the blended confidence
            "ranking_length": 10,
        }

    def _label(self, message: Message) -> Hashable:
        return message.get(INTENT)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            linear = self._probabilities(message)
            if linear is not None:
                self._set_blend(message, linear)
        return messages

    def _set_blend(self, message: Message, linear: Dict[Text, float]) -> None:
        """Replaces the intent and ranking with `weight · linear + (1 − weight) · DIET` (DIET's ranking is its top
        entries; an intent outside it counts as 0 there)."""
        weight = float(self._config["weight"])
        diet = {entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY])
                for entry in message.get(INTENT_RANKING_KEY) or []}
        blended = {name: weight * linear.get(name, 0.0) + (1.0 - weight) * diet.get(name, 0.0)
                   for name in {*linear, *diet}}
        ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                   for name, confidence in sorted(blended.items(), key=lambda item: -item[1])]
        if self._config["ranking_length"]:
            ranking = ranking[: self._config["ranking_length"]]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
