"""Outbound settings from endpoints.yml `outbound:` (Rasa ignores the key): the send rate and the template
messages the account has in WeChat's console, each named, with its template id and its keyword mapping.

    outbound:
      rate_per_second: 10                 # env BOT_OUTBOUND_RATE
      templates:
        outage_notice:                    # the name OutboundMessage.template refers to
          template_id: "…"                # env BOT_TEMPLATE_OUTAGE_NOTICE (the console's 模板ID)
          fields: {thing1: area, time2: until, thing3: cause}   # WeChat keyword → the message's template field
          url: "https://…"                # optional: where tapping the message leads
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from bot.settings import load_section

DEFAULT_RATE_PER_SECOND = 10.0


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    template_id: str
    fields: Mapping[str, str]          # WeChat keyword (thing1) → key in OutboundMessage.template_fields
    url: Optional[str] = None


@dataclass(frozen=True)
class OutboundSettings:
    rate_per_second: float = DEFAULT_RATE_PER_SECOND
    templates: Mapping[str, TemplateSpec] = field(default_factory=dict)


def load_outbound_settings(endpoints_file: Optional[Path] = None) -> OutboundSettings:
    section = load_section("outbound", endpoints_file)
    rate = float(os.environ.get("BOT_OUTBOUND_RATE") or section.get("rate_per_second") or DEFAULT_RATE_PER_SECOND)
    if rate <= 0:
        raise ValueError(f"outbound: rate_per_second must be positive, got {rate}")
    templates = {}
    for name, spec in (section.get("templates") or {}).items():
        template_id = os.environ.get(f"BOT_TEMPLATE_{name.upper()}") or (spec or {}).get("template_id")
        if not template_id or not (spec or {}).get("fields"):
            raise ValueError(f"outbound: template {name} needs template_id and fields in endpoints.yml")
        templates[name] = TemplateSpec(name, str(template_id), dict(spec["fields"]), spec.get("url"))
    return OutboundSettings(rate, templates)
