"""Normalises what followers type before anything reads it: tokenizer, featurizers, entity extractors, forms.

Followers type full-width digits (１３８…), numbers in groups (138 0013 8000, 138-0013-8000), a country prefix
(+86, 0086) and ordinals in Chinese characters (第二个). Doing this once, first in the NLU pipeline, lets every
regex, slot mapping and validator see one form. Which characters count as numerals is configuration
(`numerals` in config.yml), not code.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_MOBILE = re.compile(r"(?<![0-9])(?:\+\s?86|0086)?[\s-]*(1[3-9][0-9](?:[\s-]?[0-9]){8})(?![0-9])")
_GROUPED_DIGITS = re.compile(r"(?<![0-9])[0-9]{3,6}(?:[ -][0-9]{2,8}){1,4}[0-9Xx]?(?![0-9])")


def _digits_only(match: re.Match) -> str:
    return re.sub(r"[\s-]", "", match.group(1) if match.lastindex else match.group(0))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # numerals: characters for 0..10 in order; ordinal_prefixes/suffixes: what makes a numeral an ordinal.
        return {"numerals": "", "ordinal_prefixes": "", "ordinal_suffixes": ""}

    def __init__(self, config: Dict[Text, Any]) -> None:
        numerals = config.get("numerals") or ""
        self._numeral_value = {char: str(value) for value, char in enumerate(numerals)}
        # a second spelling of 2 (e.g. 两) may follow the eleven numerals
        if len(numerals) > 11:
            self._numeral_value[numerals[11]] = "2"
        chars = re.escape("".join(self._numeral_value))
        prefixes, suffixes = re.escape(config.get("ordinal_prefixes") or ""), re.escape(config.get("ordinal_suffixes") or "")
        self._ordinal = re.compile(f"(?<=[{prefixes}])([{chars}])(?=[{suffixes}]|$)") if chars and prefixes else None
        self._lone_numeral = re.compile(f"^\\s*([{chars}])\\s*$") if chars else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormalizer":
        return cls(config)

    def normalise(self, text: str) -> str:
        if not text or text.startswith("/"):
            return text  # button payloads are already canonical
        text = text.translate(_FULL_WIDTH)
        text = _MOBILE.sub(_digits_only, text)
        text = _GROUPED_DIGITS.sub(_digits_only, text)
        if self._ordinal is not None:
            text = self._ordinal.sub(lambda m: self._numeral_value[m.group(1)], text)
        if self._lone_numeral is not None:
            text = self._lone_numeral.sub(lambda m: self._numeral_value[m.group(1)], text)
        return text

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                normalised = self.normalise(text)
                if normalised != text:
                    message.set(TEXT, normalised)
        return messages
