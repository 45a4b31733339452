"""Rasa's JiebaTokenizer, with training tokens that remember their fingerprint.

During `rasa train`, Rasa fingerprints every node's output for its training cache
(`rasa.engine.training.hooks.TrainingHook`). The output of each featurizer is the whole training data, and
fingerprinting it re-hashes every token of every example: `Token.fingerprint` is not cached, so with 8 000
examples and six featurizing nodes three quarters of the featurizing time went into hashing the same tokens
again (py-spy, README "Training"). These tokens compute their fingerprint once and forget it when their data
changes (the RegexFeaturizer marks every token), and tokens with equal content share one computation, so the
fingerprints — and Rasa's cache keys — are exactly what the stock tokens would give.

Tokenization itself is Rasa's: same jieba, same user dictionaries, same tokens at prediction time.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.training_data import TrainingData


_TokenContent = Tuple[Text, int, int, Text, Text]
# Rasa's fingerprint of each token content seen in the current training (an intent name's tokens, for one, recur
# in every example of the intent); emptied when the next training starts, so cross-validation does not pile it up.
_fingerprints: Dict[_TokenContent, Text] = {}


_PLAIN = (str, int, float, bool, type(None))


def _is_plain(value: Any) -> bool:
    """True for data made of literals only, whose `repr` tells any two different values apart."""
    if isinstance(value, dict):
        return all(_is_plain(key) and _is_plain(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value)
    return isinstance(value, _PLAIN)


def _content(token: Token) -> Optional[_TokenContent]:
    """What the stock fingerprint reads, as a key; None when the token's data holds anything but literals."""
    if not _is_plain(token.data):
        return None
    return token.text, token.start, token.end, token.lemma, repr(token.data)


class FingerprintedToken(Token):
    """A token whose fingerprint is computed once (and again only after `set`)."""

    _fingerprint: Optional[Text] = None

    @classmethod
    def of(cls, token: Token) -> "FingerprintedToken":
        return cls(token.text, token.start, token.end, token.data, token.lemma)

    def set(self, prop: Text, info: Any) -> None:
        self._fingerprint = None
        super().set(prop, info)

    def fingerprint(self) -> Text:
        if self._fingerprint is None:
            content = _content(self)
            if content is None:
                self._fingerprint = super().fingerprint()
            else:
                if content not in _fingerprints:
                    _fingerprints[content] = super().fingerprint()
                self._fingerprint = _fingerprints[content]
        return self._fingerprint


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CachedFingerprintJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer whose training examples carry `FingerprintedToken`s."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        _fingerprints.clear()
        training_data = super().process_training_data(training_data)
        for example in training_data.training_examples:
            for tokens_name in set(TOKENS_NAMES.values()):
                tokens: Optional[List[Token]] = example.get(tokens_name)
                if tokens:
                    example.set(tokens_name, [FingerprintedToken.of(token) for token in tokens])
        return training_data
