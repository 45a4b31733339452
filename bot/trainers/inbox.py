"""The trainers' inbox: follower messages from real conversations that the model did not serve well.

A message lands here when it fell back, was classified with low confidence, was followed by the follower
correcting the bot (a "no" to something that was not a yes/no question), or was the last thing the follower said
before the conversation went to a human. Messages already in the training data or marked "ignore" are left
out; similar messages are grouped (character n-gram TF-IDF, cosine similarity), most frequent group first.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = {"action_fallback", "action_core_fallback", "action_default_fallback", "action_two_stage_fallback"}
HANDOFF_ACTIONS = {"action_handoff"}
HANDOFF_INTENTS = {"human_handoff", "request_callback"}
CORRECTION_INTENTS = {"deny"}
YES_NO_SLOT = "awaiting_confirmation"
LOW_CONFIDENCE = 0.8
SIMILARITY = 0.5

REASON_FALLBACK, REASON_LOW, REASON_CORRECTED, REASON_HANDOFF = "fell back", "low confidence", "corrected", "ended with a human"


@dataclass
class Candidate:
    text: str
    intent: str
    confidence: float
    reasons: Set[str] = field(default_factory=set)


@dataclass
class Group:
    id: str
    messages: List[Candidate]

    @property
    def texts(self) -> List[str]:
        """Distinct texts, most frequent first."""
        return [text for text, _ in Counter(c.text for c in self.messages).most_common()]

    @property
    def guessed(self) -> str:
        return Counter(c.intent for c in self.messages).most_common(1)[0][0]

    @property
    def reasons(self) -> Counter:
        return Counter(reason for c in self.messages for reason in c.reasons)


def normalized(text: str) -> str:
    return " ".join(text.split()).lower()


def candidates_in(events: Sequence[Dict[str, Any]], low_confidence: float = LOW_CONFIDENCE) -> List[Candidate]:
    """The follower messages of one conversation (Rasa events as dicts) that belong in the inbox."""
    found: List[Candidate] = []
    last: Optional[Candidate] = None          # the latest follower message
    before_last: Optional[Candidate] = None
    last_was_bot_reply = False                # the bot answered since `last` (a "no" now corrects that answer)
    yes_no_open = False
    form_active = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = (event.get("text") or "").strip()
            intent = (event.get("parse_data") or {}).get("intent") or {}
            name, confidence = intent.get("name") or FALLBACK_INTENT, float(intent.get("confidence") or 0.0)
            if name in CORRECTION_INTENTS and last is not None and last_was_bot_reply and not (yes_no_open or form_active):
                last.reasons.add(REASON_CORRECTED)
            current = None
            if text and not text.startswith("/"):   # payloads of buttons and WeChat events are not typed text
                current = Candidate(text, name, confidence)
                if name == FALLBACK_INTENT:
                    current.reasons.add(REASON_FALLBACK)
                elif confidence < low_confidence:
                    current.reasons.add(REASON_LOW)
                found.append(current)
            before_last, last, last_was_bot_reply = last, current, False
        elif kind == "action":
            name = event.get("name")
            if name in FALLBACK_ACTIONS and last is not None:
                last.reasons.add(REASON_FALLBACK)
            if name in HANDOFF_ACTIONS:
                # "转人工" itself was understood; what the bot failed on is the message before it.
                target = before_last if last is None or last.intent in HANDOFF_INTENTS else last
                if target is not None:
                    target.reasons.add(REASON_HANDOFF)
        elif kind == "bot":
            last_was_bot_reply = True
        elif kind == "slot" and event.get("name") == YES_NO_SLOT:
            yes_no_open = event.get("value") is not None
        elif kind == "active_loop":
            form_active = event.get("name") is not None
    return [c for c in found if c.reasons]


def _group_id(text: str) -> str:
    return hashlib.sha1(normalized(text).encode("utf-8")).hexdigest()[:6]


def group(candidates: Iterable[Candidate], known_texts: Set[str], ignored: Set[str],
          similarity: float = SIMILARITY) -> List[Group]:
    """Similar messages together, without those already trained on or ignored; largest group first."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from bot.trainers.synthetic import synthesize

    # A labelled message is in the training data with synthetic numbers in place of the real ones.
    kept = [c for c in candidates if normalized(c.text) not in ignored
            and not {normalized(c.text), normalized(synthesize(c.text))} & known_texts]
    if not kept:
        return []
    counts = Counter(normalized(c.text) for c in kept)
    distinct = [text for text, _ in counts.most_common()]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit_transform(distinct)
    similar = cosine_similarity(vectors)
    leaders: List[int] = []                 # each group is led by its most frequent text
    leader_of: Dict[str, int] = {}
    for index, text in enumerate(distinct):
        leader = next((lead for lead in leaders if similar[index, lead] >= similarity), index)
        if leader == index:
            leaders.append(index)
        leader_of[text] = leader
    members: Dict[int, List[Candidate]] = {lead: [] for lead in leaders}
    for candidate in kept:
        members[leader_of[normalized(candidate.text)]].append(candidate)
    groups = [Group(_group_id(distinct[lead]), members[lead]) for lead in leaders]
    return sorted(groups, key=lambda g: -len(g.messages))


class IgnoreList:
    """Messages a trainer marked "ignore" (normalised text), kept beside the deployment's other runtime data."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def texts(self) -> Set[str]:
        return set(json.loads(self.path.read_text(encoding="utf-8"))) if self.path.exists() else set()

    def add(self, texts: Iterable[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        merged = self.texts() | {normalized(text) for text in texts}
        self.path.write_text(json.dumps(sorted(merged), ensure_ascii=False, indent=0), encoding="utf-8")
