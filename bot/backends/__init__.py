"""Back-end interfaces and the factory that picks their implementations from configuration."""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any, Type

from bot.backends.billing import BillingBackend
from bot.backends.checkin import CheckInDesk
from bot.backends.crm import CrmBackend
from bot.backends.diagnostics import LineDiagnostics
from bot.backends.repairs import RepairDesk
from bot.backends.sms import SmsGateway
from bot.settings import load_backend_settings
from bot.verification import VerificationService


def _load_class(dotted: str) -> Type[Any]:
    module_name, _, class_name = dotted.partition(":")
    if not class_name:
        raise ValueError(f"backend '{dotted}' must look like 'package.module:ClassName'")
    return getattr(importlib.import_module(module_name), class_name)


@lru_cache(maxsize=None)
def get_crm() -> CrmBackend:
    """The configured CRM (endpoints.yml `backends.crm`, env BOT_CRM_BACKEND); one per process."""
    settings = load_backend_settings()
    return _load_class(settings.crm)(settings.database_url)


@lru_cache(maxsize=None)
def get_billing() -> BillingBackend:
    """The configured billing system (endpoints.yml `backends.billing`, env BOT_BILLING_BACKEND)."""
    settings = load_backend_settings()
    return _load_class(settings.billing)(settings.database_url)


@lru_cache(maxsize=None)
def get_repairs() -> RepairDesk:
    settings = load_backend_settings()
    return _load_class(settings.repairs)(settings.database_url)


@lru_cache(maxsize=None)
def get_diagnostics() -> LineDiagnostics:
    settings = load_backend_settings()
    return _load_class(settings.diagnostics)(settings.database_url)


@lru_cache(maxsize=None)
def get_checkin() -> CheckInDesk:
    settings = load_backend_settings()
    return _load_class(settings.checkin)(settings.database_url)


@lru_cache(maxsize=None)
def get_sms() -> SmsGateway:
    """The configured SMS gateway (endpoints.yml `backends.sms`, env BOT_SMS_GATEWAY)."""
    return _load_class(load_backend_settings().sms)()


@lru_cache(maxsize=None)
def get_verification() -> VerificationService:
    return VerificationService(load_backend_settings().database_url, get_sms())


def reset_backends() -> None:
    """Forget the cached implementations (tests and configuration reloads)."""
    for factory in (get_crm, get_billing, get_repairs, get_diagnostics, get_checkin, get_sms, get_verification):
        factory.cache_clear()


__all__ = ["BillingBackend", "CheckInDesk", "CrmBackend", "get_checkin", "LineDiagnostics", "RepairDesk", "SmsGateway", "get_billing", "get_crm",
           "get_diagnostics", "get_repairs", "get_sms", "get_verification"]
