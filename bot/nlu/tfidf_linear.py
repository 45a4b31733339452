"""A linear classifier on tf-idf weighted n-gram counts, as a trainable NLU component: the base of the intent
blend and the out-of-domain detector (bot/nlu/linear_intent_blend.py, bot/nlu/out_of_domain.py).

It reads the sentence features Rasa's CountVectorsFeaturizers already computed, weights them with scikit-learn's
TfidfTransformer (sublinear term frequency: a word said twice is not twice the evidence) and fits an SGDClassifier
with logistic loss, whose `predict_proba` gives the probabilities. The fitted pipeline is stored with skops, as
Rasa's own LogisticRegressionClassifier stores its model, and loaded only if it holds no types beyond
scikit-learn's and the one sparse matrix type TfidfTransformer keeps its idf weights in. Subclasses say what a
training example's class is (`_label`) and what to do with the probabilities (`process`).
"""
from __future__ import annotations

import abc
import logging
import time
from typing import Any, Dict, Hashable, List, Optional, Text

import numpy as np
import scipy.sparse
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline, make_pipeline

logger = logging.getLogger(__name__)

MODEL_FILE = "tfidf_linear.skops"
TRUSTED_TYPES = [f"{scipy.sparse.csr_matrix.__module__}.{scipy.sparse.csr_matrix.__qualname__}"]


class TfidfLinearComponent(GraphComponent):
    # Weights the classes inversely to their size when set to "balanced" (scikit-learn's class_weight).
    class_weight: Optional[Text] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "featurizers": [],   # aliases of the sparse featurizers to read; empty: all of them
            # Aliases of featurizers of which a message must have at least one known feature: with no known word the
            # model has only the letters' statistics to go on (「zxqwv」 looked like the English out-of-domain examples).
            "abstain_without": [],
            "alpha": 2e-6,       # SGDClassifier's regularization
            "epochs": 50,
            "random_seed": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Pipeline] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TfidfLinearComponent":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TfidfLinearComponent":
        """The trained model, or an untrained component (messages pass unchanged) if there is none."""
        return cls(config, model_storage, resource, _load(model_storage, resource))

    @abc.abstractmethod
    def _label(self, message: Message) -> Hashable:
        """A training example's class."""

    def _features(self, message: Message) -> Optional[scipy.sparse.spmatrix]:
        _, sentence = message.get_sparse_features(TEXT, self._config["featurizers"] or None)
        return sentence.features if sentence is not None else None

    def train(self, training_data: TrainingData) -> Resource:
        rows, labels = [], []
        for message in training_data.intent_examples:
            row = self._features(message) if message.get(INTENT) and message.get(TEXT) else None
            if row is not None:
                rows.append(row)
                labels.append(self._label(message))
        if len(set(labels)) < 2:
            logger.debug("tfidf_linear.not_trained component=%s classes=%d", type(self).__name__, len(set(labels)))
            return self._resource
        self._model = _fit(scipy.sparse.vstack(rows, format="csr"), labels, self._config, self.class_weight)
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)
        return self._resource

    def _knows_too_little(self, message: Message) -> bool:
        aliases = self._config["abstain_without"]
        if not aliases:
            return False
        _, sentence = message.get_sparse_features(TEXT, aliases)
        return sentence is None or sentence.features.nnz == 0

    def _probabilities(self, message: Message) -> Optional[Dict[Hashable, float]]:
        """Each class's probability for the message; None when untrained, or when the message has no features or
        none of those `abstain_without` requires."""
        row = self._features(message) if self._model is not None else None
        if row is None or self._knows_too_little(message):
            return None
        return dict(zip(self._model.classes_, (float(p) for p in self._model.predict_proba(row)[0])))


def _fit(features: scipy.sparse.csr_matrix, labels: List[Hashable], config: Dict[Text, Any],
         class_weight: Optional[Text]) -> Pipeline:
    started = time.perf_counter()
    model = make_pipeline(
        TfidfTransformer(sublinear_tf=True),
        SGDClassifier(loss="log_loss", alpha=config["alpha"], max_iter=config["epochs"], tol=1e-4,
                      random_state=config["random_seed"], class_weight=class_weight),
    ).fit(features, labels)
    # A message's scores are its sparse row times coef_.T; with coef_ in C order scipy copied the whole transposed
    # matrix (classes × n-grams) for every message: 5.9 ms a message for the intents, 0.4 ms in Fortran order.
    classifier = model.steps[-1][1]
    classifier.coef_ = np.asfortranarray(classifier.coef_)
    logger.debug("tfidf_linear.fitted rows=%d columns=%d classes=%d seconds=%.1f", features.shape[0],
                 features.shape[1], len(model.classes_), time.perf_counter() - started)
    return model


def _load(model_storage: ModelStorage, resource: Resource) -> Optional[Pipeline]:
    """The stored model, or None (logged) when there is none or it holds types we do not trust."""
    try:
        with model_storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            untrusted = [name for name in sio.get_untrusted_types(file=path) if name not in TRUSTED_TYPES]
            if untrusted:
                raise ValueError(f"untrusted types {untrusted}")
            return sio.load(path, trusted=TRUSTED_TYPES)
    except (ValueError, FileNotFoundError) as error:
        logger.warning("tfidf_linear.not_loaded resource=%s error=%s", resource.name, error)
        return None
