"""Customer-service texts of outbound messages: the domain response the message names, filled with its values,
read from domain/ the way actions read it from the domain Rasa sends (actions.wording.phrase)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

from actions.wording import phrase
from bot.settings import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "domain"


@lru_cache(maxsize=4)
def domain_responses(domain_dir: Path = DOMAIN_DIR) -> Dict[str, List[Dict[str, Any]]]:
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted(domain_dir.glob("**/*.yml")):
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return responses


def render(response: str, values: Mapping[str, Any]) -> str:
    """The response's text with `{placeholders}` filled; KeyError for a response the domain does not have."""
    return phrase({"responses": domain_responses()}, response, **values)
