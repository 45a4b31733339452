"""The out-of-domain detector: trained on real featurizer output, persisted and loaded as Rasa does."""
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.out_of_domain import OutOfDomainDetector

IN_DOMAIN = ["家里宽带又断了", "宽带断了好几天", "查一下话费余额", "我还剩多少话费", "流量还剩多少", "国际漫游怎么开",
             "手机丢了怎么挂失", "宽带怎么报修", "积分怎么兑换", "套餐怎么改"]
OUT_OF_DOMAIN = ["今天天气怎么样", "推荐一部电影", "明天会下雨吗", "足球比赛谁赢了", "红烧肉怎么做", "周末去哪玩",
                 "电影票多少钱", "天气预报说下雨"]


class Detector:
    """Tokenizer → character n-gram featurizer → OutOfDomainDetector, in one model storage."""

    def __init__(self, tmp_path: Path, **config) -> None:
        self.storage = LocalModelStorage(tmp_path)
        self.context = ExecutionContext(GraphSchema({}), "test")
        self.tokenizer = JiebaTokenizer.create({**JiebaTokenizer.get_default_config(), "dictionary_path": None},
                                               self.storage, Resource("jieba"), self.context)
        chars = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1,
                 "max_ngram": 3, "alias": "chars"}
        self.featurizer = CountVectorsFeaturizer.create(chars, self.storage, Resource("chars"), self.context)
        self.config = {**OutOfDomainDetector.get_default_config(), "featurizers": ["chars"], "random_seed": 1,
                       "threshold": 0.6, **config}
        self.resource = Resource("ood")
        self.component = OutOfDomainDetector.create(self.config, self.storage, self.resource, self.context)

    def train(self, examples: List[Tuple[str, str]]) -> None:
        data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in examples])
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)
        self.component.train(data)

    def message(self, text: str, intent: Optional[str] = "faq", confidence: float = 0.95) -> Message:
        message = Message(data={TEXT: text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        if intent:
            message.set(INTENT, {"name": intent, "confidence": confidence})
            message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                                             {"name": "out_of_scope", "confidence": 1 - confidence}])
        return message

    def loaded(self) -> OutOfDomainDetector:
        return OutOfDomainDetector.load(self.config, self.storage, self.resource, self.context)


def _examples() -> List[Tuple[str, str]]:
    return [(text, "faq") for text in IN_DOMAIN] + [(text, "out_of_scope") for text in OUT_OF_DOMAIN]


@pytest.fixture()
def detector(tmp_path: Path) -> Detector:
    trained = Detector(tmp_path)
    trained.train(_examples())
    return trained


def test_a_confident_in_domain_guess_on_an_out_of_domain_message_is_overruled(detector: Detector) -> None:
    message = detector.message("明天天气怎么样")
    detector.component.process([message])
    verdict = message.get(INTENT)
    assert verdict["name"] == "out_of_scope" and verdict["confidence"] >= 0.6
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == verdict and ranking[1]["name"] == "faq"
    assert [entry["name"] for entry in ranking].count("out_of_scope") == 1


def test_an_in_domain_message_keeps_its_intent(detector: Detector) -> None:
    message = detector.message("宽带又断线了")
    detector.component.process([message])
    assert message.get(INTENT) == {"name": "faq", "confidence": 0.95}


def test_only_knowledge_base_answers_are_second_guessed(detector: Detector) -> None:
    for intent in ("show_menu", "affirm", "nlu_fallback", "out_of_scope"):
        message = detector.message("明天天气怎么样", intent=intent, confidence=0.5)
        detector.component.process([message])
        assert message.get(INTENT) == {"name": intent, "confidence": 0.5}


def test_the_checked_intents_are_configurable(tmp_path: Path) -> None:
    dialogue = Detector(tmp_path, checked_intents=["faq", "show_menu"])
    dialogue.train(_examples())
    message = dialogue.message("明天天气怎么样", intent="show_menu")
    dialogue.component.process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"


def test_a_higher_threshold_lets_more_through(tmp_path: Path) -> None:
    strict = Detector(tmp_path, threshold=1.01)
    strict.train(_examples())
    message = strict.message("明天天气怎么样")
    strict.component.process([message])
    assert message.get(INTENT)["name"] == "faq"


def test_a_loaded_detector_decides_the_same(detector: Detector) -> None:
    fresh, loaded = detector.message("明天天气怎么样"), detector.message("明天天气怎么样")
    detector.component.process([fresh])
    detector.loaded().process([loaded])
    assert loaded.get(INTENT) == fresh.get(INTENT)
    assert loaded.get(INTENT)["name"] == "out_of_scope"


def test_without_out_of_domain_examples_nothing_is_trained_and_nothing_changes(tmp_path: Path) -> None:
    untrained = Detector(tmp_path)
    untrained.train([(text, "faq") for text in IN_DOMAIN])
    message = untrained.message("明天天气怎么样")
    untrained.loaded().process([message])
    untrained.component.process([message])
    assert message.get(INTENT) == {"name": "faq", "confidence": 0.95}
