"""Outbound fixtures: a freshly seeded SQLite back end per test, the stand-in's fake WeChat API with the
configured templates, an in-memory consent registry, and a campaign runner wired like `python -m bot notify`."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from bot import backends
from bot.backends.consent import Consent, ConsentRegistry
from bot.backends.interactions import MESSAGE
from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.deliveries import SqlDeliveryLog
from bot.backends.sql.interactions import SqlInteractionLog
from bot.demo.seed import seed
from bot.outbound.campaign import CampaignRunner, RateLimiter
from bot.outbound.config import load_outbound_settings
from bot.outbound.delivery import Deliverer
from bot.outbound.message import OutboundMessage
from bot.outbound.wechat_api import OutboundApi
from bot.wechat_sim.api import FakeWeChatApi
from channels.wechat.settings import WeChatSettings
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW
TEMPLATES = load_outbound_settings().templates   # the committed endpoints.yml


class MemoryConsent(ConsentRegistry):
    """The ConsentRegistry interface in memory (the SQL one is written with the reminders)."""

    def __init__(self) -> None:
        self.choices: Dict[Tuple[str, str], Consent] = {}

    def record(self, openid: str, topic: str, granted: bool, at: datetime) -> None:
        self.choices[(openid, topic)] = Consent(topic, granted, at)

    def latest(self, openid: str, topic: str) -> Optional[Consent]:
        return self.choices.get((openid, topic))

    def followers_with(self, topic: str) -> List[str]:
        return sorted(o for (o, t), c in self.choices.items() if t == topic and c.granted)

    def forget_follower(self, openid: str) -> int:
        gone = [key for key in self.choices if key[0] == openid]
        for key in gone:
            del self.choices[key]
        return len(gone)


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'backends.db'}"
    seed(url, now=lambda: NOW)
    monkeypatch.setenv("BOT_DATABASE_URL", url)
    backends.reset_backends()
    yield url
    backends.reset_backends()


@pytest.fixture()
def api() -> Iterator[FakeWeChatApi]:
    templates = {spec.template_id: list(spec.fields) for spec in TEMPLATES.values()}
    server = FakeWeChatApi("wxapp", "secret", templates=templates).start()
    yield server
    server.stop()


def outbound_api(api: FakeWeChatApi) -> OutboundApi:
    return OutboundApi(WeChatSettings("t", "wxapp", "secret", None, None, api.base_url))


def deliverer(api: FakeWeChatApi, db: str, templates=TEMPLATES) -> Deliverer:  # type: ignore[no-untyped-def]
    return Deliverer(outbound_api(api), SqlInteractionLog(db), templates)


@dataclass
class Wired:
    runner: CampaignRunner
    progress: io.StringIO
    out: io.StringIO


def wired_runner(api: FakeWeChatApi, db: str, the_deliverer: Optional[Deliverer] = None) -> Wired:
    progress, out = io.StringIO(), io.StringIO()
    runner = CampaignRunner(the_deliverer or deliverer(api, db), SqlDeliveryLog(db), RateLimiter(1000.0),
                            now=lambda: NOW, progress=progress, out=out)
    return Wired(runner, progress, out)


def chatted(api: FakeWeChatApi, db: str, openid: str, ago: timedelta = timedelta(hours=1), kind: str = MESSAGE) -> None:
    """The follower wrote to the account `ago` before NOW (our record and WeChat's both know it)."""
    SqlInteractionLog(db).record(openid, kind, NOW - ago)
    api.state.record_interaction(openid, "message" if kind == MESSAGE else "event")


def outage_message(openid: str, consented: bool = True, **fields: str) -> OutboundMessage:
    values = {"area": "荔湾区", "cause": "光缆抢修", "restore_month": "11", "restore_day": "25", "restore_time": "18:00"}
    template_fields = {"area": "荔湾区", "cause": "光缆抢修", "until": "2026-11-25 18:00", **fields}
    return OutboundMessage(openid, "utter_outbound_outage_notice", "outage_notice", "outage:1:202611251800", values,
                           template="outage_notice", template_fields=template_fields, template_consented=consented)


def bind(db: str, openid: str, mobile: str) -> int:
    crm = SqlCrm(db)
    customer = crm.customer_by_mobile(mobile)
    crm.bind_openid(openid, customer.customer_id)
    return customer.customer_id
