"""Back-end interfaces and the factory that picks their implementations from configuration.

Each interface's class comes from endpoints.yml `backends.<name>` (or its BOT_* environment override, see
bot.settings.IMPLEMENTATIONS) and is built once per process with the database URL.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any, Type, cast

from bot.backends.billing import BillingBackend
from bot.backends.checkin import CheckInDesk
from bot.backends.consent import ConsentRegistry
from bot.backends.crm import CrmBackend
from bot.backends.deliveries import DeliveryLog
from bot.backends.diagnostics import LineDiagnostics
from bot.backends.interactions import InteractionLog
from bot.backends.outages import OutageBoard
from bot.backends.repairs import RepairDesk
from bot.backends.sms import SmsGateway
from bot.backends.surveys import SurveyStore
from bot.code_secret import load_code_secret
from bot.settings import load_backend_settings
from bot.verification import VerificationService


def load_class(dotted: str) -> Type[Any]:
    module_name, _, class_name = dotted.partition(":")
    if not class_name:
        raise ValueError(f"backend '{dotted}' must look like 'package.module:ClassName'")
    return getattr(importlib.import_module(module_name), class_name)


@lru_cache(maxsize=None)
def _backend(interface: str) -> Any:
    settings = load_backend_settings()
    return load_class(getattr(settings, interface))(settings.database_url)


def get_crm() -> CrmBackend:
    return cast(CrmBackend, _backend("crm"))


def get_billing() -> BillingBackend:
    return cast(BillingBackend, _backend("billing"))


def get_repairs() -> RepairDesk:
    return cast(RepairDesk, _backend("repairs"))


def get_diagnostics() -> LineDiagnostics:
    return cast(LineDiagnostics, _backend("diagnostics"))


def get_checkin() -> CheckInDesk:
    return cast(CheckInDesk, _backend("checkin"))


def get_consent() -> ConsentRegistry:
    """Followers' consent to outbound messages; a missing implementation is an error, never "everyone agreed"."""
    return cast(ConsentRegistry, _backend("consent"))


def get_outages() -> OutageBoard:
    return cast(OutageBoard, _backend("outages"))


def get_interactions() -> InteractionLog:
    return cast(InteractionLog, _backend("interactions"))


def get_deliveries() -> DeliveryLog:
    return cast(DeliveryLog, _backend("deliveries"))


def get_surveys() -> SurveyStore:
    return cast(SurveyStore, _backend("surveys"))


@lru_cache(maxsize=None)
def get_sms() -> SmsGateway:
    """SMS gateways take no database URL."""
    return load_class(load_backend_settings().sms)()


@lru_cache(maxsize=None)
def get_verification() -> VerificationService:
    """Keyed with BOT_CODE_SECRET (a development run's own secret file outside production)."""
    return VerificationService(load_backend_settings().database_url, get_sms(), load_code_secret())


def reset_backends() -> None:
    """Forget the cached implementations (tests and configuration reloads)."""
    for factory in (_backend, get_sms, get_verification):
        factory.cache_clear()


__all__ = ["BillingBackend", "CheckInDesk", "ConsentRegistry", "CrmBackend", "DeliveryLog", "InteractionLog", "LineDiagnostics",
           "OutageBoard", "RepairDesk", "SmsGateway", "SurveyStore", "get_billing", "get_checkin", "get_consent", "get_crm",
           "get_deliveries", "get_diagnostics", "get_interactions", "get_outages", "get_repairs", "get_sms", "get_surveys",
           "get_verification", "reset_backends"]
