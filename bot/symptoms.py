"""Map a follower's own words to a fault symptom category (data/fault_symptoms.yml)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT

SYMPTOMS_FILE = PROJECT_ROOT / "data" / "fault_symptoms.yml"


@lru_cache(maxsize=None)
def load_symptoms(path: Path = SYMPTOMS_FILE) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["symptoms"]
    return tuple((entry["name"], tuple(str(k) for k in entry["keywords"])) for entry in raw)


def symptom_names() -> List[str]:
    return [name for name, _ in load_symptoms()]


def symptom_in(text: str) -> Optional[str]:
    """The symptom the text describes, a symptom picked by its number (1-6), or None."""
    text = (text or "").strip()
    names = symptom_names()
    if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    for name, keywords in load_symptoms():
        if name in text or any(keyword in text for keyword in keywords):
            return name
    return None
