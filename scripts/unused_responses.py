"""Lists domain responses that nothing sends: no rule or story, no custom action (literal or f-string prefix).

`rasa data validate` only looks at rules and stories, so it warns about every response a custom action sends;
this check replaces that warning with the one that matters: a response nobody can send is dead wording.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Set

import yaml

ROOT = Path(__file__).resolve().parent.parent


def responses() -> Set[str]:
    names: Set[str] = set()
    for path in (ROOT / "domain").glob("**/*.yml"):
        names |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return names


def main() -> int:
    dialogue = "\n".join(p.read_text(encoding="utf-8") for folder in ("data", "tests/stories")
                         for p in (ROOT / folder).glob("**/*.yml"))
    # custom actions, the Rasa server's own answers when a turn cannot be completed (bot/serving), and what the
    # account sends first (reminders and surveys, bot/engagement; notices, bot/outbound), rendered by the runner
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("actions", "bot/serving", "bot/engagement", "bot/outbound")
                     for p in (ROOT / folder).glob("*.py"))
    prefixes = [p for p in re.findall(r"f\"(utter_[a-z_]+)\{", code) if p != "utter_"]
    unused = sorted(name for name in responses() if not name.startswith("utter_faq/")
                    and not re.search(rf"\b{re.escape(name)}\b", dialogue + code)
                    and not any(name.startswith(prefix) for prefix in prefixes))
    for name in unused:
        print(name)
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
