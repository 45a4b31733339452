"""Normalises what followers type before anything reads it: tokenizer, featurizers, entity extractors, forms.

Followers type full-width digits (１３８…), numbers in groups (138 0013 8000, 138-0013-8000), a country prefix
(+86, 0086), ordinals in Chinese characters (第二个) and counts before a unit (三个月, 十一月, 近仨月). Doing this
once, first in the NLU pipeline, lets every regex, slot mapping and validator see one form. Which characters count
as numerals and which units are counted is configuration (config.yml), not code.
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

from bot.phone_numbers import MOBILE_TYPED

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_GROUPED_DIGITS = re.compile(r"(?<![0-9])[0-9]{3,6}(?:[ -][0-9]{2,8}){1,4}[0-9Xx]?(?![0-9])")


def _digits_only(match: re.Match) -> str:
    return re.sub(r"[\s-]", "", match.group(1) if match.lastindex else match.group(0))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # numerals: characters for 0..10 in order; ordinal_prefixes/suffixes: what makes a numeral an ordinal.
        # numeral_aliases: colloquial numerals and their values; counted_units: units a number in characters may
        # precede, with or without a measure word (counted_measure), e.g. 月 for 十一月 and 三个月.
        return {"numerals": "", "ordinal_prefixes": "", "ordinal_suffixes": "", "numeral_aliases": {},
                "counted_units": "", "counted_measure": ""}

    def __init__(self, config: Dict[Text, Any]) -> None:
        numerals = config.get("numerals") or ""
        self._numeral_value = {char: str(value) for value, char in enumerate(numerals)}
        # a second spelling of 2 (e.g. 两) may follow the eleven numerals
        if len(numerals) > 11:
            self._numeral_value[numerals[11]] = "2"
        self._numeral_value.update({char: str(value) for char, value in (config.get("numeral_aliases") or {}).items()})
        self._ten = numerals[10] if len(numerals) > 10 else None
        chars = re.escape("".join(self._numeral_value))
        prefixes, suffixes = re.escape(config.get("ordinal_prefixes") or ""), re.escape(config.get("ordinal_suffixes") or "")
        self._ordinal = re.compile(f"(?<=[{prefixes}])([{chars}])(?=[{suffixes}]|$)") if chars and prefixes else None
        self._lone_numeral = re.compile(f"^\\s*([{chars}])\\s*$") if chars else None
        units, measure = re.escape(config.get("counted_units") or ""), re.escape(config.get("counted_measure") or "")
        self._counted = (re.compile(f"([{chars}]{{1,3}})(?=[{measure}]?[{units}])" if measure else f"([{chars}]{{1,3}})(?=[{units}])")
                         if chars and units else None)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormalizer":
        return cls(config)

    def normalise(self, text: str) -> str:
        if not text or text.startswith("/"):
            return text  # button payloads are already canonical
        text = text.translate(_FULL_WIDTH)
        text = MOBILE_TYPED.sub(_digits_only, text)
        text = _GROUPED_DIGITS.sub(_digits_only, text)
        if self._ordinal is not None:
            text = self._ordinal.sub(lambda m: self._numeral_value[m.group(1)], text)
        if self._lone_numeral is not None:
            text = self._lone_numeral.sub(lambda m: self._numeral_value[m.group(1)], text)
        if self._counted is not None:
            text = self._counted.sub(lambda m: self._number(m.group(1)) or m.group(1), text)
        return text

    def _number(self, numeral: str) -> str:
        """十一 → 11, 二十 → 20, 三 → 3; "" for a sequence that is not one number (e.g. 三四)."""
        if self._ten and self._ten in numeral:
            tens, _, ones = numeral.partition(self._ten)
            if len(tens) > 1 or len(ones) > 1:
                return ""
            return str(int(self._numeral_value[tens] if tens else "1") * 10 + int(self._numeral_value[ones] if ones else "0"))
        return self._numeral_value[numeral] if len(numeral) == 1 else ""

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
