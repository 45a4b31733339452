"""Channel-level texts and WeChat menu keys, read from data/wechat.yml (edited by conversation designers)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

import yaml

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "wechat.yml"


@dataclass(frozen=True)
class ChannelContent:
    texts: Dict[str, str]
    menu_keys: Dict[str, str]   # CLICK EventKey -> intent
    scenes: Dict[str, str]      # QR scene -> intent

    def text(self, name: str) -> str:
        return self.texts[name]

    def intent_for_click(self, key: str) -> Optional[str]:
        return self.menu_keys.get(key)

    def intent_for_scene(self, scene: str) -> Optional[str]:
        return self.scenes.get(scene)


def _menu_keys(buttons: list) -> Dict[str, str]:
    keys: Dict[str, str] = {}
    for button in buttons or []:
        if button.get("type") == "click" and "intent" in button:
            keys[button["key"]] = button["intent"]
        keys.update(_menu_keys(button.get("sub_button", [])))
    return keys


@lru_cache(maxsize=None)
def load_content(path: Path = DEFAULT_FILE) -> ChannelContent:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return ChannelContent(
        texts=dict(raw["texts"]),
        menu_keys=_menu_keys(raw["custom_menu"]["button"]),
        scenes=dict(raw.get("scenes") or {}),
    )
