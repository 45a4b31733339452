"""The trainers' inbox: which messages land in it, how they are grouped, and how a label reaches data/nlu."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.id_card import is_valid_id_card
from bot.trainers.inbox import (REASON_CORRECTED, REASON_FALLBACK, REASON_HANDOFF, REASON_LOW, Candidate, IgnoreList,
                                candidates_in, group)
from bot.trainers.labelling import LabelError, add_examples, training_texts
from bot.trainers.synthetic import synthesize


def user(text: str, intent: str, confidence: float = 0.99) -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str = "…") -> Dict[str, Any]:
    return {"event": "bot", "text": text}


def reasons_by_text(events: List[Dict[str, Any]]) -> Dict[str, set]:
    return {c.text: c.reasons for c in candidates_in(events)}


def test_fallback_low_confidence_correction_and_handoff_are_collected() -> None:
    events = [
        user("你好", "greet"), action("utter_greet"), bot(),
        user("网费扣得莫名其妙", "nlu_fallback", 0.4), action("action_fallback"), bot(),
        user("宽带装好了吗", "query_bill", 0.55), action("action_query_bill"), bot(),
        user("不是这个", "deny"), action("utter_anything_else"), bot(),
        user("那个光猫闪得厉害", "faq", 0.9), action("utter_faq"), bot(),
        user("转人工", "human_handoff"), action("action_handoff"), bot(),
    ]
    found = reasons_by_text(events)
    assert found["网费扣得莫名其妙"] == {REASON_FALLBACK}
    assert found["宽带装好了吗"] == {REASON_LOW, REASON_CORRECTED}
    assert found["那个光猫闪得厉害"] == {REASON_HANDOFF}          # the message before 转人工, not 转人工 itself
    assert "你好" not in found and "转人工" not in found and "不是这个" not in found


def test_a_no_to_the_bots_own_question_is_an_answer_not_a_correction() -> None:
    events = [
        user("撤单", "cancel_ticket", 0.95), action("action_cancel_ticket"),
        {"event": "slot", "name": "awaiting_confirmation", "value": "cancel_ticket"}, bot("确定要撤销吗？"),
        user("不了", "deny"),
    ]
    assert candidates_in(events) == []


def test_payloads_of_buttons_and_events_are_not_typed_messages() -> None:
    events = [user("/subscribe", "subscribe", 0.2), action("action_fallback")]
    assert candidates_in(events) == []


def test_similar_messages_are_grouped_most_frequent_first_without_trained_or_ignored_ones() -> None:
    messages = ["宽带老是掉线咋整", "宽带老是掉线咋整啊", "宽带老是掉线咋整", "怎么注销这个公众号", "讲个笑话", "我要退款"]
    candidates = [Candidate(text, "nlu_fallback", 0.3, {REASON_FALLBACK}) for text in messages]
    groups = group(candidates, known_texts={"讲个笑话"}, ignored={"我要退款"})
    assert [len(g.messages) for g in groups] == [3, 1]
    assert groups[0].texts == ["宽带老是掉线咋整", "宽带老是掉线咋整啊"]
    assert all("讲个笑话" not in g.texts and "我要退款" not in g.texts for g in groups)
    assert len({g.id for g in groups}) == 2


def test_ignored_messages_stay_out(tmp_path: Path) -> None:
    ignore_list = IgnoreList(tmp_path / "ignored.json")
    ignore_list.add(["  讲个  笑话 "])
    assert ignore_list.texts() == {"讲个 笑话"}
    assert group([Candidate("讲个 笑话", "out_of_scope", 0.5, {REASON_LOW})], set(), ignore_list.texts()) == []


def test_personal_numbers_become_synthetic_of_the_same_shape() -> None:
    text = synthesize("我号码13912345678，身份证440106198503120015，单号GZ2026112200031，票号7842100000001，验证码123456")
    for real in ("13912345678", "440106198503120015", "GZ2026112200031", "7842100000001", "123456"):
        assert real not in text
    import re

    id_card = re.search(r"\d{17}[\dX]", text).group(0)
    assert is_valid_id_card(id_card)
    assert re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text) and re.search(r"GZ\d{13}", text)
    assert synthesize("13912345678") == synthesize("13912345678")     # the same message gives the same example


@pytest.fixture()
def nlu_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "nlu"
    folder.mkdir()
    (folder / "basics.yml").write_text(
        'version: "3.1"\n# greetings\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n    - 在吗\n\n'
        "- intent: out_of_scope\n  examples: |\n    - 讲个笑话\n", encoding="utf-8")
    (folder / "faq.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/携号转网\n  examples: |\n    - 怎么携号转网\n', encoding="utf-8")
    return folder


def test_a_label_appends_to_the_block_of_its_intent_keeping_the_file(nlu_dir: Path) -> None:
    written = add_examples("greet", ["哈喽 13912345678", "你好"], nlu_dir)
    assert len(written) == 1 and "13912345678" not in written[0]
    content = (nlu_dir / "basics.yml").read_text(encoding="utf-8")
    assert "# greetings" in content
    data = RasaYAMLReader().reads(content)
    assert [m.get("text") for m in data.intent_examples if m.get("intent") == "greet"] == ["你好", "在吗", written[0]]
    assert add_examples("greet", ["哈喽 13912345678"], nlu_dir) == []             # deduplicated
    assert "哈喽" in " ".join(training_texts(nlu_dir))


def test_a_knowledge_base_label_goes_to_its_entry(nlu_dir: Path) -> None:
    add_examples("faq/携号转网", ["号码想转去别家"], nlu_dir)
    data = RasaYAMLReader().reads((nlu_dir / "faq.yml").read_text(encoding="utf-8"))
    assert ("号码想转去别家", "faq/携号转网") in {(m.get("text"), m.get("intent_response_key")) for m in data.intent_examples}


def test_an_unknown_label_is_refused(nlu_dir: Path) -> None:
    with pytest.raises(LabelError):
        add_examples("faq/不存在的条目", ["随便"], nlu_dir)
    assert "随便" not in (nlu_dir / "faq.yml").read_text(encoding="utf-8")
