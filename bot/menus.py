"""Numbered menus defined in data/menus.yml, rendered as chat text."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT

MENUS_FILE = PROJECT_ROOT / "data" / "menus.yml"


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    intent: Optional[str]
    submenu: Optional[str]


@dataclass(frozen=True)
class Menu:
    name: str
    header: str
    footer: str
    items: Tuple[MenuItem, ...]

    def render(self) -> str:
        """Header, one "key. label" line per item, footer; no blank lines (Rasa splits texts on them)."""
        lines = [self.header] + [f"{item.key}. {item.label}" for item in self.items]
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)

    def item(self, key: str) -> Optional[MenuItem]:
        return next((item for item in self.items if item.key == key.strip()), None)


def parse_menus(content: dict) -> Dict[str, Menu]:
    menus = {}
    for name, spec in (content.get("menus") or {}).items():
        items = tuple(
            MenuItem(str(raw["key"]), raw["label"], raw.get("intent"), raw.get("submenu")) for raw in spec["items"]
        )
        menus[name] = Menu(name, spec.get("header", ""), spec.get("footer", ""), items)
    return menus


@lru_cache(maxsize=None)
def load_menus(path: Path = MENUS_FILE) -> Dict[str, Menu]:
    with path.open(encoding="utf-8") as handle:
        return parse_menus(yaml.safe_load(handle) or {})
