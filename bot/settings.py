"""Where the bot's own settings come from: the `backends` section of endpoints.yml, then env overrides.

Rasa ignores top-level keys it does not know, so operators configure everything in Rasa's own files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional


PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"


# Interface -> (environment override, default implementation).
IMPLEMENTATIONS = {
    "crm": ("BOT_CRM_BACKEND", "bot.backends.sql.crm:SqlCrm"),
    "billing": ("BOT_BILLING_BACKEND", "bot.backends.sql.billing:SqlBilling"),
    "sms": ("BOT_SMS_GATEWAY", "bot.backends.sms:DevInboxSmsGateway"),
    "repairs": ("BOT_REPAIRS_BACKEND", "bot.backends.sql.repairs:SqlRepairDesk"),
    "diagnostics": ("BOT_DIAGNOSTICS_BACKEND", "bot.backends.sql.diagnostics:StubLineDiagnostics"),
    "checkin": ("BOT_CHECKIN_BACKEND", "bot.backends.sql.checkin:SqlCheckInDesk"),
    "consent": ("BOT_CONSENT_BACKEND", "bot.backends.sql.consent:SqlConsentRegistry"),
    "outages": ("BOT_OUTAGES_BACKEND", "bot.backends.sql.outages:SqlOutageBoard"),
    "interactions": ("BOT_INTERACTIONS_BACKEND", "bot.backends.sql.interactions:SqlInteractionLog"),
    "deliveries": ("BOT_DELIVERIES_BACKEND", "bot.backends.sql.deliveries:SqlDeliveryLog"),
    "surveys": ("BOT_SURVEYS_BACKEND", "bot.backends.sql.surveys:SqlSurveyStore"),
}


@dataclass(frozen=True)
class BackendSettings:
    database_url: str
    classes: Dict[str, str]

    def __getattr__(self, interface: str) -> str:
        try:
            return self.classes[interface]
        except KeyError:
            raise AttributeError(interface) from None


def read_endpoints(endpoints_file: Optional[Path] = None) -> Dict[str, Any]:
    """endpoints.yml (or `BOT_ENDPOINTS`) as Rasa reads it, `${VARIABLE}` values filled from the environment;
    empty when the file is absent."""
    from rasa.shared.utils.io import read_yaml_file

    path = endpoints_file or Path(os.environ.get("BOT_ENDPOINTS", DEFAULT_ENDPOINTS))
    if not path.exists():
        return {}
    return read_yaml_file(path) or {}


def _absolute_sqlite(url: str) -> str:
    """Resolve a relative SQLite path against the project root, so every process shares one file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


def load_backend_settings(endpoints_file: Optional[Path] = None) -> BackendSettings:
    section = read_endpoints(endpoints_file).get("backends") or {}
    url = os.environ.get("BOT_DATABASE_URL") or section.get("database_url") or "sqlite:///var/backends.db"
    classes = {name: os.environ.get(env) or section.get(name) or default for name, (env, default) in IMPLEMENTATIONS.items()}
    return BackendSettings(database_url=_absolute_sqlite(url), classes=classes)


def load_section(name: str, endpoints_file: Optional[Path] = None) -> Dict[str, Any]:
    """Another top-level section of our own in endpoints.yml (e.g. `reminders`), empty when absent."""
    return read_endpoints(endpoints_file).get(name) or {}


def low_balance_yuan(endpoints_file: Optional[Path] = None) -> Decimal:
    """The one low-balance threshold: the chat's top-up hint and the monthly low-balance reminder both use it, so
    they never disagree. endpoints.yml `reminders: low_balance_yuan`, overridden by BOT_LOW_BALANCE_YUAN; 10 yuan."""
    override = os.environ.get("BOT_LOW_BALANCE_YUAN")
    path = endpoints_file or Path(os.environ.get("BOT_ENDPOINTS", DEFAULT_ENDPOINTS))
    return Decimal(override) if override else _configured_low_balance(path)


@lru_cache(maxsize=None)
def _configured_low_balance(endpoints_file: Path) -> Decimal:
    """Read once per process and file, as Rasa reads endpoints.yml at start: a balance query does no file I/O."""
    return Decimal(str(load_section("reminders", endpoints_file).get("low_balance_yuan", 10)))
