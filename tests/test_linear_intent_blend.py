"""The linear intent model blended with DIET: trained on real featurizer output, persisted and loaded as Rasa does."""
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_intent_blend import LinearIntentBlend

EXAMPLES = [
    ("家里宽带又断了", "report_fault"), ("宽带断了好几天", "report_fault"), ("网络老是断线", "report_fault"),
    ("宽带连不上了", "report_fault"), ("查一下话费余额", "query_balance"), ("我还剩多少话费", "query_balance"),
    ("余额还有多少", "query_balance"), ("话费还剩多少钱", "query_balance"), ("今天天气怎么样", "out_of_scope"),
    ("推荐一部电影", "out_of_scope"), ("明天会下雨吗", "out_of_scope"), ("足球比赛谁赢了", "out_of_scope"),
]


class Pipeline:
    """Tokenizer → character n-gram and word featurizers → LinearIntentBlend (reading the characters), in one model
    storage."""

    def __init__(self, tmp_path: Path, **config) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.storage = LocalModelStorage(tmp_path)
        context = ExecutionContext(GraphSchema({}), "test")
        self.tokenizer = JiebaTokenizer.create({**JiebaTokenizer.get_default_config(), "dictionary_path": None},
                                               self.storage, Resource("jieba"), context)
        chars = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1,
                 "max_ngram": 3, "alias": "chars"}
        self.featurizer = CountVectorsFeaturizer.create(chars, self.storage, Resource("chars"), context)
        words = {**CountVectorsFeaturizer.get_default_config(), "alias": "words"}
        self.words = CountVectorsFeaturizer.create(words, self.storage, Resource("words"), context)
        self.config = {**LinearIntentBlend.get_default_config(), "featurizers": ["chars"], "random_seed": 1, **config}
        self.resource = Resource("blend")
        self.context = context
        self.blend = LinearIntentBlend.create(self.config, self.storage, self.resource, context)

    def train(self) -> None:
        data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES])
        self.tokenizer.process_training_data(data)
        for featurizer in (self.featurizer, self.words):
            featurizer.train(data)
            featurizer.process_training_data(data)
        self.blend.train(data)

    def message(self, text: str, diet: List[Tuple[str, float]]) -> Message:
        message = Message(data={TEXT: text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        self.words.process([message])
        message.set(INTENT, {"name": diet[0][0], "confidence": diet[0][1]})
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": value} for name, value in diet])
        return message

    def loaded(self) -> LinearIntentBlend:
        return LinearIntentBlend.load(self.config, self.storage, self.resource, self.context)


def _ranking(message: Message) -> Dict[str, float]:
    return {entry["name"]: entry["confidence"] for entry in message.get(INTENT_RANKING_KEY)}


def _linear(pipeline: Pipeline, text: str) -> Dict[str, float]:
    """The linear model's own probabilities: the blend with weight 1."""
    component = LinearIntentBlend({**pipeline.config, "weight": 1.0}, pipeline.storage, pipeline.resource,
                                  pipeline.blend._model)
    message = pipeline.message(text, [("query_balance", 1.0)])
    component.process([message])
    return _ranking(message)


@pytest.fixture()
def trained(tmp_path: Path) -> Pipeline:
    pipeline = Pipeline(tmp_path)
    pipeline.train()
    return pipeline


def test_the_linear_model_alone_learns_the_training_data(trained: Pipeline) -> None:
    linear = _linear(trained, "宽带又断线了")
    assert max(linear, key=linear.get) == "report_fault"
    assert sum(linear.values()) == pytest.approx(1.0)
    assert set(linear) == {"report_fault", "query_balance", "out_of_scope"}


def test_the_blend_is_the_weighted_sum_of_both_rankings(trained: Pipeline) -> None:
    diet = [("query_balance", 0.6), ("report_fault", 0.3), ("greet", 0.1)]
    linear = _linear(trained, "宽带又断线了")
    message = trained.message("宽带又断线了", diet)
    trained.blend.process([message])
    blended = _ranking(message)
    for name in ("query_balance", "report_fault", "out_of_scope"):
        assert blended[name] == pytest.approx(0.7 * linear[name] + 0.3 * dict(diet).get(name, 0.0))
    # An intent only DIET ranks keeps its share of DIET's confidence.
    assert blended["greet"] == pytest.approx(0.3 * 0.1)
    # DIET's wrong top intent is overturned, and the intent is the top of the new ranking.
    assert message.get(INTENT)["name"] == "report_fault"
    assert message.get(INTENT)["confidence"] == pytest.approx(max(blended.values()))
    assert list(blended.values()) == sorted(blended.values(), reverse=True)


def test_weight_zero_keeps_diets_ranking(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, weight=0.0)
    pipeline.train()
    message = pipeline.message("宽带又断线了", [("query_balance", 0.6), ("report_fault", 0.4)])
    pipeline.blend.process([message])
    assert message.get(INTENT)["name"] == "query_balance"
    assert _ranking(message)["query_balance"] == pytest.approx(0.6)


def test_the_ranking_is_cut_to_its_length(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, ranking_length=2)
    pipeline.train()
    message = pipeline.message("余额还剩多少", [("greet", 0.5), ("thanks", 0.3), ("goodbye", 0.2)])
    pipeline.blend.process([message])
    assert len(message.get(INTENT_RANKING_KEY)) == 2
    assert message.get(INTENT)["name"] == "query_balance"


def test_a_loaded_model_gives_the_same_blend(trained: Pipeline) -> None:
    diet = [("out_of_scope", 0.5), ("query_balance", 0.5)]
    first, second = trained.message("话费余额查一下", diet), trained.message("话费余额查一下", diet)
    trained.blend.process([first])
    trained.loaded().process([second])
    assert _ranking(first) == pytest.approx(_ranking(second))
    assert second.get(INTENT)["name"] == "query_balance"


def test_without_a_trained_model_diets_ranking_passes_through(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path)   # never trained: nothing persisted
    diet = [("query_balance", 0.6), ("report_fault", 0.4)]
    message = pipeline.message("宽带又断线了", diet)
    pipeline.loaded().process([message])
    assert message.get(INTENT)["name"] == "query_balance"
    assert _ranking(message) == dict(diet)


def test_a_message_without_features_is_left_alone(trained: Pipeline) -> None:
    message = Message(data={TEXT: "宽带"})
    message.set(INTENT, {"name": "report_fault", "confidence": 0.9})
    trained.blend.process([message])
    assert message.get(INTENT) == {"name": "report_fault", "confidence": 0.9}
    assert message.get(INTENT_RANKING_KEY) is None


def test_the_stored_weights_are_laid_out_for_scoring_one_message(trained: Pipeline) -> None:
    # Scoring multiplies a one-row sparse matrix by coef_.T; in C order scipy copies all of coef_ each time.
    assert trained.blend._model.steps[-1][1].coef_.flags["F_CONTIGUOUS"]
    assert trained.loaded()._model.steps[-1][1].coef_.flags["F_CONTIGUOUS"]


def test_a_message_with_no_known_word_is_left_to_diet(tmp_path: Path) -> None:
    diet = [("greet", 0.4), ("thanks", 0.35)]
    abstaining = Pipeline(tmp_path / "abstaining", abstain_without=["words"])
    abstaining.train()
    unknown = abstaining.message("zxqwv", diet)
    abstaining.blend.process([unknown])
    assert _ranking(unknown) == dict(diet)
    # One known word is enough to vote.
    known = abstaining.message("zxqwv 余额", diet)
    abstaining.blend.process([known])
    assert known.get(INTENT)["name"] == "query_balance"
    # Without the option the linear model judges it anyway, by its classes' sizes alone.
    voting = Pipeline(tmp_path / "voting")
    voting.train()
    judged = voting.message("zxqwv", diet)
    voting.blend.process([judged])
    assert set(_ranking(judged)) == {"greet", "thanks", "report_fault", "query_balance", "out_of_scope"}
