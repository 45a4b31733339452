"""Scores a trained model on the held-out NLU set (tests/nlu/): intents, knowledge-base entries, out-of-domain.

`rasa test nlu` gives per-intent precision/recall/F1 and the confusion matrices; it does not say how often the
right knowledge-base answer is among the three the bot offers when unsure, nor how often an out-of-domain
message is taken for a request. Both are measured here, on the pipeline's final output (fallback and keyword
handoff included), i.e. on what the bot would do with the message.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Tuple

from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

HELDOUT_DIR = Path(__file__).resolve().parents[2] / "tests" / "nlu"
INTENTS_FILE, FAQ_FILE, OOD_FILE = "heldout_intents.yml", "heldout_faq.yml", "heldout_ood.yml"
FALLBACK = "nlu_fallback"
RETRIEVAL_INTENT = "faq"
# An out-of-domain message is handled correctly when the bot says it cannot help (out_of_scope) or that it did
# not understand (fallback). Anything else — a query, a flow, a knowledge-base answer, even a greeting — is a
# false accept.
OOD_REJECTIONS = {"out_of_scope", FALLBACK}
TOP_K = 3   # the "您是不是想问" list offers three entries
TARGETS = {"intent_accuracy": 0.95, "faq_top1": 0.90, "faq_topk": 0.97, "ood_false_accepts": 0.03}   # issue 11

Parse = Callable[[str], Awaitable[Dict[str, Any]]]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    response_key: Optional[str] = None   # "faq/<title>" for knowledge-base questions


@dataclass
class Miss:
    text: str
    expected: str
    predicted: str
    confidence: float


@dataclass
class HeldoutScores:
    intent_total: int = 0
    intent_correct: int = 0
    intent_fallback: int = 0
    faq_total: int = 0
    faq_top1: int = 0
    faq_topk: int = 0
    ood_total: int = 0
    ood_accepted: int = 0
    per_intent: Dict[str, Tuple[int, int]] = field(default_factory=dict)   # intent → (correct, total)
    ood_accepted_as: Counter = field(default_factory=Counter)
    misses: List[Miss] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return _share(self.intent_correct, self.intent_total)

    @property
    def faq_top1_accuracy(self) -> float:
        return _share(self.faq_top1, self.faq_total)

    @property
    def faq_topk_accuracy(self) -> float:
        return _share(self.faq_topk, self.faq_total)

    @property
    def ood_false_accept_rate(self) -> float:
        return _share(self.ood_accepted, self.ood_total)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def load_examples(path: Path) -> List[Example]:
    """The examples of a Rasa NLU YAML file; `faq/<title>` blocks keep their entry as the response key."""
    data = RasaYAMLReader().reads(path.read_text(encoding="utf-8"))
    examples = []
    for message in data.intent_examples:
        key = message.get("intent_response_key")
        examples.append(Example(message.get("text"), message.get("intent"), key if key and "/" in key else None))
    return examples


def _ranked_response_keys(parse: Dict[str, Any]) -> List[str]:
    ranking = ((parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("ranking") or []
    return [entry.get("intent_response_key") for entry in ranking]


def score(examples: Iterable[Example], parses: Iterable[Dict[str, Any]], ood: bool = False,
          into: Optional[HeldoutScores] = None) -> HeldoutScores:
    """Adds the outcome of each (example, parse result) pair to the scores."""
    scores = into or HeldoutScores()
    for example, parse in zip(examples, parses):
        intent = parse.get("intent") or {}
        predicted, confidence = intent.get("name") or FALLBACK, float(intent.get("confidence") or 0.0)
        if ood:
            scores.ood_total += 1
            if predicted not in OOD_REJECTIONS:
                scores.ood_accepted += 1
                scores.ood_accepted_as[predicted] += 1
                scores.misses.append(Miss(example.text, "out_of_scope", predicted, confidence))
            continue
        scores.intent_total += 1
        correct, total = scores.per_intent.get(example.intent, (0, 0))
        hit = predicted == example.intent
        scores.per_intent[example.intent] = (correct + hit, total + 1)
        scores.intent_correct += hit
        scores.intent_fallback += predicted == FALLBACK
        if example.response_key:
            scores.faq_total += 1
            keys = _ranked_response_keys(parse)
            top1 = hit and keys[:1] == [example.response_key]
            scores.faq_top1 += top1
            # Unsure, the bot offers its three closest entries: right when the entry is among them.
            scores.faq_topk += predicted in (RETRIEVAL_INTENT, FALLBACK) and example.response_key in keys[:TOP_K]
            if not top1:
                scores.misses.append(Miss(example.text, example.response_key, keys[0] if hit and keys else predicted, confidence))
        elif not hit:
            scores.misses.append(Miss(example.text, example.intent, predicted, confidence))
    return scores


async def _parse_all(parse: Parse, texts: List[str]) -> List[Dict[str, Any]]:
    return [await parse(text) for text in texts]


def evaluate(parse: Parse, heldout_dir: Path = HELDOUT_DIR) -> HeldoutScores:
    """Runs every held-out message through `parse` (e.g. a loaded Rasa agent's parse_message)."""
    scores = HeldoutScores()
    for name, ood in ((INTENTS_FILE, False), (FAQ_FILE, False), (OOD_FILE, True)):
        examples = load_examples(heldout_dir / name)
        parses = asyncio.run(_parse_all(parse, [e.text for e in examples]))
        score(examples, parses, ood=ood, into=scores)
    return scores


def parser_for_model(model_path: Path) -> Parse:
    """The NLU of a trained model, as the Rasa server runs it."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)   # one debug line per parsed message otherwise
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model_path))
    return agent.parse_message


def summary_markdown(scores: HeldoutScores, targets: Dict[str, float], misses: bool = True) -> str:
    """The figures the README quotes, with the target next to each (and every miss, for the report file)."""
    def row(name: str, value: float, target: str) -> str:
        return f"| {name} | {value:.3f} | {target} |"

    lines = [
        "| held-out measure | value | target |", "|---|---|---|",
        row(f"intent accuracy ({scores.intent_total} messages, fallback counts as wrong)", scores.intent_accuracy,
            f"≥ {targets['intent_accuracy']}"),
        row(f"knowledge base top-1 ({scores.faq_total} questions)", scores.faq_top1_accuracy, f"≥ {targets['faq_top1']}"),
        row(f"knowledge base top-{TOP_K}", scores.faq_topk_accuracy, f"≥ {targets['faq_topk']}"),
        row(f"out-of-domain false accepts ({scores.ood_total} messages)", scores.ood_false_accept_rate,
            f"≤ {targets['ood_false_accepts']}"),
        "", f"Fallback (not understood) on in-domain messages: {scores.intent_fallback}/{scores.intent_total}.",
        "", "| intent | correct | of |", "|---|---|---|",
    ]
    for intent, (correct, total) in sorted(scores.per_intent.items(), key=lambda item: item[1][0] / item[1][1]):
        lines.append(f"| {intent} | {correct} | {total} |")
    if scores.ood_accepted_as:
        lines += ["", "Out-of-domain messages accepted as: " +
                  ", ".join(f"{name} {count}" for name, count in scores.ood_accepted_as.most_common())]
    if misses:
        lines += ["", "## Misses", "", "| message | expected | got | confidence |", "|---|---|---|---|"]
        lines += [f"| {m.text} | {m.expected} | {m.predicted} | {m.confidence:.2f} |" for m in scores.misses]
    return "\n".join(lines) + "\n"

