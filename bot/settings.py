"""Where the bot's own settings come from: the `backends` section of endpoints.yml, then env overrides.

Rasa ignores top-level keys it does not know, so operators configure everything in Rasa's own files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"


@dataclass(frozen=True)
class BackendSettings:
    database_url: str
    crm: str
    billing: str
    sms: str


def _read_backends_section(path: Path) -> Dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        content = yaml.safe_load(handle) or {}
    return content.get("backends") or {}


def _absolute_sqlite(url: str) -> str:
    """Resolve a relative SQLite path against the project root, so every process shares one file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


def load_backend_settings(endpoints_file: Optional[Path] = None) -> BackendSettings:
    section = _read_backends_section(endpoints_file or Path(os.environ.get("BOT_ENDPOINTS", DEFAULT_ENDPOINTS)))
    url = os.environ.get("BOT_DATABASE_URL") or section.get("database_url") or "sqlite:///var/backends.db"
    return BackendSettings(
        database_url=_absolute_sqlite(url),
        crm=os.environ.get("BOT_CRM_BACKEND") or section.get("crm") or "bot.backends.sql.crm:SqlCrm",
        billing=os.environ.get("BOT_BILLING_BACKEND") or section.get("billing") or "bot.backends.sql.billing:SqlBilling",
        sms=os.environ.get("BOT_SMS_GATEWAY") or section.get("sms") or "bot.backends.sms:DevInboxSmsGateway",
    )
