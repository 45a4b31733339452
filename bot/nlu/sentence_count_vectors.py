"""Rasa's CountVectorsFeaturizer, giving a message's text only its sentence-level (bag-of-n-grams) features.

DIET and the ResponseSelector here run without transformer layers (config.yml). Without them, the output they
classify — the sentence position appended after the tokens — is computed from the sentence features alone: each
token's sequence features pass through their own input layer and are then thrown away. Not computing per-token
features for the message text saves that layer (its weights, a third of the model file), the featurizing time
spent on them and part of the classifiers' training time, without changing what the classifiers can see
(README "Training").

The models still need one sequence-level feature for the text (Rasa's `RasaSequenceLayer` insists on one): the
RegexFeaturizer keeps giving its per-token pattern matches. Other attributes (intent, response, action names)
are featurized exactly as by the stock featurizer.

The features are `HashedSparseFeatures`: Rasa's training cache fingerprints every featurizer's output, and the
stock `Features.fingerprint` writes out every non-zero entry as text first (a sixth of the featurizing time with
11 000 examples); these hash the matrix's arrays instead. Equal matrices still give equal fingerprints and
different ones different fingerprints, which is all the cache needs.
"""
from __future__ import annotations

import hashlib
from typing import List, Optional, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.io import deep_container_fingerprint

_Matrices = List[Optional[scipy.sparse.spmatrix]]


class HashedSparseFeatures(Features):
    """Sparse features whose fingerprint hashes the matrix's shape and COO arrays (computed once, like Rasa's)."""

    def fingerprint(self) -> Text:
        if self._cached_fingerprint is None:
            matrix = self.features.tocoo()
            digest = hashlib.sha256(repr((matrix.shape, matrix.dtype.str)).encode())
            for array in (matrix.row, matrix.col, matrix.data):
                digest.update(np.ascontiguousarray(array).tobytes())
            self._cached_fingerprint = deep_container_fingerprint(
                [self.type, self.origin, self.attribute, digest.hexdigest()]
            )
        return self._cached_fingerprint


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer whose features for the message text are the sentence features only."""

    def _create_features(self, attribute: Text, all_tokens: List[List[Text]]) -> Tuple[_Matrices, _Matrices]:
        if attribute != TEXT or not self.vectorizers.get(attribute):
            return super()._create_features(attribute, all_tokens)
        vectorizer = self.vectorizers[attribute]
        sentence_features: _Matrices = []
        for tokens in all_tokens:
            if not tokens:
                sentence_features.append(None)
                continue
            # As the stock featurizer computes the sentence row: the tokens joined, counted as one document.
            sentence = vectorizer.transform([" ".join(tokens)])
            sentence.sort_indices()
            sentence_features.append(sentence.tocoo())
        return [None] * len(all_tokens), sentence_features

    def add_features_to_message(
        self,
        sequence: Optional[scipy.sparse.spmatrix],
        sentence: Optional[scipy.sparse.spmatrix],
        attribute: Text,
        message: Message,
    ) -> None:
        for feature_type, features in ((FEATURE_TYPE_SEQUENCE, sequence), (FEATURE_TYPE_SENTENCE, sentence)):
            if features is not None:
                message.add_features(HashedSparseFeatures(features, feature_type, attribute, self._identifier))
