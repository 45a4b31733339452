import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import pytest

from bot.devstack import REST_CHANNEL, RunningBot, start_bot

if TYPE_CHECKING:
    from bot.wechat_sim.api import FakeWeChatApi
    from bot.wechat_sim.platform import WeChatPlatform
    from tests.e2e.action_proxy import ActionProxy


def always_open_handoff_rules(workdir) -> str:
    """data/handoff.yml with agents on duty around the clock, so handoff tests do not depend on the hour."""
    import yaml

    from bot.handoff import HANDOFF_FILE

    rules = yaml.safe_load(HANDOFF_FILE.read_text(encoding="utf-8"))
    rules["service_hours"].update({"open": "00:00", "close": "24:00"})
    path = workdir / "handoff.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture(autouse=True)
def fresh_binding_limits(request: pytest.FixtureRequest) -> None:
    """Tests on the shared REST bot bind the same demo numbers many times an hour: each starts with the SMS and
    wrong-code counters of a fresh deployment (the limits themselves are tested in tests/backends and
    tests/actions)."""
    if "rest_bot" in request.fixturenames:
        from bot.verification import clear_binding_records

        clear_binding_records(f"sqlite:///{request.getfixturevalue('rest_bot').workdir}/backends.db")


@pytest.fixture(scope="session")
def rest_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    from bot.demo.seed import seed

    workdir = tmp_path_factory.mktemp("rest-bot")
    database_url = f"sqlite:///{workdir}/backends.db"
    seed(database_url)
    bot = start_bot(workdir, database_url, env={"BOT_SMS_INBOX": str(workdir / "sms.jsonl"),
                                                   "BOT_HANDOFF_RULES": always_open_handoff_rules(workdir)})
    yield bot
    bot.stop()


WECHAT_TOKEN = "test-token"
WECHAT_APP_ID = "wx0123456789test01"
WECHAT_APP_SECRET = "test-secret"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_OLD_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


@dataclass
class WeChatBot:
    bot: RunningBot
    api: "FakeWeChatApi"
    database_url: str
    proxy: "ActionProxy"

    def stop(self) -> None:
        self.bot.stop()
        self.proxy.stop()
        self.api.stop()

    @property
    def webhook(self) -> str:
        return f"{self.bot.url}/webhooks/wechat/webhook"

    def platform(self, mode: str = "safe", aes_key: str = WECHAT_AES_KEY, app_id: str = WECHAT_APP_ID,
                 token: str = WECHAT_TOKEN, attempts: int = 3, keep_alive: bool = True) -> "WeChatPlatform":
        from bot.wechat_sim.platform import AccountConfig, WeChatPlatform

        config = AccountConfig(url=self.webhook, token=token, app_id=app_id, encoding_aes_key=aes_key, mode=mode)
        return WeChatPlatform(config, attempts=attempts, keep_alive=keep_alive)

    def user_turns(self, openid: str) -> int:
        """How many user messages Rasa's tracker store holds for this follower."""
        import sqlite3

        with sqlite3.connect(self.bot.workdir / "tracker.db") as connection:
            return connection.execute(
                "select count(*) from events where sender_id = ? and type_name = 'user'", (openid,)
            ).fetchone()[0]


def _start_wechat_bot(workdir: Path, workers: int = 1, redis_url: Optional[str] = None,
                      channel_settings: Optional[dict] = None, env: Optional[dict] = None) -> WeChatBot:
    from bot.demo.seed import seed
    from bot.wechat_sim.api import FakeWeChatApi
    from tests.e2e.action_proxy import ActionProxy

    database_url = f"sqlite:///{workdir}/backends.db"
    seed(database_url)
    api = FakeWeChatApi(WECHAT_APP_ID, WECHAT_APP_SECRET).start()
    proxy = ActionProxy()
    credentials = {
        REST_CHANNEL: None,
        "channels.wechat.WeChatInput": {
            # compat: the tests push in all three of WeChat's modes to one bot (tests/wechat cover safe and plain)
            "token": WECHAT_TOKEN, "app_id": WECHAT_APP_ID, "app_secret": WECHAT_APP_SECRET, "mode": "compat",
            "encoding_aes_key": WECHAT_AES_KEY, "previous_encoding_aes_key": WECHAT_OLD_AES_KEY,
            "api_base_url": api.base_url, "reply_budget_seconds": 4.0, "redis_url": redis_url,
            **(channel_settings or {}),
        },
    }
    clean_env = {name: "" for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY",
                                       "WECHAT_PREVIOUS_ENCODING_AES_KEY", "WECHAT_API_BASE_URL", "WECHAT_REDIS_URL",
                                       "WECHAT_MODE")}
    clean_env["BOT_SMS_INBOX"] = str(workdir / "sms.jsonl")
    clean_env["BOT_HANDOFF_RULES"] = always_open_handoff_rules(workdir)
    clean_env.update(env or {})
    try:
        bot = start_bot(workdir, database_url, credentials, env=clean_env, action_url_for=proxy.url_for,
                        workers=workers, redis_url=redis_url)
    except Exception:
        proxy.stop()
        api.stop()
        raise
    return WeChatBot(bot, api, database_url, proxy)


@pytest.fixture(scope="session")
def wechat_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChatBot]:
    bot = _start_wechat_bot(tmp_path_factory.mktemp("wechat-bot"))
    yield bot
    bot.stop()


@pytest.fixture(scope="session")
def scaled_wechat_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeChatBot]:
    """Two Rasa workers (processes) behind one port, sharing Rasa's lock store and the channel's stores in a
    throwaway Redis: the deployment that uses both cores, and the stand-in for several instances."""
    from bot.devstack import start_redis

    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed (apt-get install redis-server); .ci/run installs it"
        if os.environ.get("BOT_TEST_REQUIRE_REDIS"):
            pytest.fail(reason)
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("scaled-wechat-bot")
    redis = start_redis(workdir)
    try:
        bot = _start_wechat_bot(workdir, workers=2, redis_url=redis.url)
    except Exception:
        redis.stop()
        raise
    yield bot
    bot.stop()
    redis.stop()
