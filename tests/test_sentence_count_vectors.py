"""The sentence-only featurizer: the stock featurizer's sentence features for the text, no per-token ones."""
from pathlib import Path
from typing import Dict, List, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_count_vectors import HashedSparseFeatures, SentenceCountVectorsFeaturizer

EXAMPLES = [("家里宽带又断了", "report_fault"), ("我想查一下话费余额", "query_balance"), ("宽带断了好几天", "report_fault")]
CHARS = {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3}


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _tokenized(messages: List[Message], tmp_path: Path) -> List[Message]:
    config = {**JiebaTokenizer.get_default_config(), "dictionary_path": None}
    tokenizer = JiebaTokenizer.create(config, LocalModelStorage(tmp_path / "jieba"), Resource("jieba"), _context())
    tokenizer.process(messages)
    return messages


def _featurized(cls: Type[CountVectorsFeaturizer], config: Dict, tmp_path: Path) -> List[Message]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    examples = _tokenized([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES], tmp_path)
    featurizer = cls.create({**cls.get_default_config(), **config}, LocalModelStorage(tmp_path),
                            Resource(cls.__name__), _context())
    data = TrainingData(examples)
    featurizer.train(data)
    featurizer.process_training_data(data)
    unseen = _tokenized([Message(data={TEXT: "宽带又慢又断"})], tmp_path)
    featurizer.process(unseen)
    return examples + unseen


def test_text_gets_the_stock_sentence_features_and_no_sequence_features(tmp_path: Path) -> None:
    for config in ({}, CHARS):
        ours = _featurized(SentenceCountVectorsFeaturizer, config, tmp_path / "ours")
        stock = _featurized(CountVectorsFeaturizer, config, tmp_path / "stock")
        for our_message, stock_message in zip(ours, stock):
            our_sequence, our_sentence = our_message.get_sparse_features(TEXT)
            stock_sequence, stock_sentence = stock_message.get_sparse_features(TEXT)
            assert our_sequence is None and stock_sequence is not None
            assert our_sentence.features.shape == stock_sentence.features.shape
            np.testing.assert_array_equal(our_sentence.features.toarray(), stock_sentence.features.toarray())
            assert our_sentence.features.sum() > 0


def test_other_attributes_keep_the_stock_features(tmp_path: Path) -> None:
    ours = _featurized(SentenceCountVectorsFeaturizer, {}, tmp_path / "ours")
    stock = _featurized(CountVectorsFeaturizer, {}, tmp_path / "stock")
    for our_message, stock_message in zip(ours[:-1], stock[:-1]):
        our_sequence, _ = our_message.get_sparse_features(INTENT)
        stock_sequence, _ = stock_message.get_sparse_features(INTENT)
        np.testing.assert_array_equal(our_sequence.features.toarray(), stock_sequence.features.toarray())


def test_features_fingerprint_follows_their_content(tmp_path: Path) -> None:
    ours = _featurized(SentenceCountVectorsFeaturizer, {}, tmp_path / "ours")
    again = _featurized(SentenceCountVectorsFeaturizer, {}, tmp_path / "again")
    fingerprints = [message.get_sparse_features(TEXT)[1].fingerprint() for message in ours]
    assert all(isinstance(feature, HashedSparseFeatures) for message in ours for feature in message.features)
    assert fingerprints == [message.get_sparse_features(TEXT)[1].fingerprint() for message in again]
    assert len(set(fingerprints)) == len(fingerprints)   # four different texts, four different bags of words

    matrix = ours[0].features[-1].features.tocoo()
    changed = scipy.sparse.coo_matrix((matrix.data * 2, (matrix.row, matrix.col)), shape=matrix.shape)
    feature = ours[0].features[-1]
    assert HashedSparseFeatures(changed, feature.type, feature.attribute, feature.origin).fingerprint() != \
        feature.fingerprint()
    assert HashedSparseFeatures(matrix.copy(), feature.type, feature.attribute, feature.origin).fingerprint() == \
        feature.fingerprint()
