"""The training tokenizer: Rasa's jieba tokens, with fingerprints computed once and identical to the stock ones."""
from pathlib import Path
from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import jieba_tokenizer
from bot.nlu.jieba_tokenizer import CachedFingerprintJiebaTokenizer, FingerprintedToken

EXAMPLES = [("家里宽带又断了", "report_fault"), ("我想查一下话费余额", "query_balance")]


def _training_data() -> TrainingData:
    return TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES])


def _tokenized(cls: type, tmp_path: Path) -> TrainingData:
    config = {**cls.get_default_config(), "dictionary_path": None}
    tokenizer = cls.create(config, LocalModelStorage(tmp_path / cls.__name__), Resource("tokenizer"),
                           ExecutionContext(GraphSchema({}), "test"))
    return tokenizer.process_training_data(_training_data())


def _tokens(data: TrainingData, attribute: str) -> List[List[Token]]:
    return [example.get(TOKENS_NAMES[attribute]) for example in data.training_examples]


def test_training_tokens_are_rasas_jieba_tokens_and_fingerprint_the_same(tmp_path: Path) -> None:
    jieba_tokenizer._fingerprints[("left over", 0, 9, "left over", "{}")] = "from an earlier training"
    ours, stock = _tokenized(CachedFingerprintJiebaTokenizer, tmp_path), _tokenized(JiebaTokenizer, tmp_path)
    assert ("left over", 0, 9, "left over", "{}") not in jieba_tokenizer._fingerprints
    for attribute in (TEXT, INTENT):
        for our_tokens, stock_tokens in zip(_tokens(ours, attribute), _tokens(stock, attribute)):
            assert our_tokens == stock_tokens and our_tokens
            assert all(isinstance(token, FingerprintedToken) for token in our_tokens)
            assert [t.fingerprint() for t in our_tokens] == [t.fingerprint() for t in stock_tokens]
    assert ours.fingerprint() == stock.fingerprint()


def test_a_token_fingerprint_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jieba_tokenizer, "_fingerprints", {})
    token, same = FingerprintedToken.of(Token("宽带", 2)), FingerprintedToken.of(Token("宽带", 2))
    calls = []
    original = Token.fingerprint
    monkeypatch.setattr(Token, "fingerprint", lambda self: calls.append(self) or original(self))
    first = token.fingerprint()
    assert token.fingerprint() == same.fingerprint() == first and len(calls) == 1


def test_changing_a_tokens_data_changes_its_fingerprint_like_a_stock_token() -> None:
    token, stock = FingerprintedToken.of(Token("宽带", 2)), Token("宽带", 2)
    before = token.fingerprint()
    token.set("pattern", {"phone_number": False})
    stock.set("pattern", {"phone_number": False})
    assert token.fingerprint() != before
    assert token.fingerprint() == stock.fingerprint()


def test_tokens_with_equal_content_share_a_fingerprint_and_different_ones_do_not() -> None:
    first, second = FingerprintedToken.of(Token("宽带", 2)), FingerprintedToken.of(Token("宽带", 2))
    first.set("pattern", {"phone_number": False})
    second.set("pattern", {"phone_number": False})
    assert first.fingerprint() == second.fingerprint()
    for other in (Token("宽带", 3), Token("宽代", 2), Token("宽带", 2, data={"pattern": {"phone_number": True}}),
                  Token("宽带", 2, data={"pattern": {"phone_number": 1}})):
        assert FingerprintedToken.of(other).fingerprint() == other.fingerprint() != first.fingerprint()
    unusual = Token("宽带", 2, data={"vector": object()})
    assert FingerprintedToken.of(unusual).fingerprint() == unusual.fingerprint()
