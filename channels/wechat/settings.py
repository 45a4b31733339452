"""WeChat channel settings: credentials.yml values, each overridable by an operator's environment variable."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Optional

from bot.settings import PROJECT_ROOT
from channels.text_input import DEFAULT_MAX_MESSAGE_CHARS, read_max_chars

# How the account's messages arrive (WeChat's 消息加解密方式); see `choose_mode`.
PLAIN, COMPAT, SAFE = "plain", "compat", "safe"
MODES = (PLAIN, COMPAT, SAFE)

ENV_OVERRIDES = {
    "token": "WECHAT_TOKEN",
    "app_id": "WECHAT_APP_ID",
    "app_secret": "WECHAT_APP_SECRET",
    "encoding_aes_key": "WECHAT_ENCODING_AES_KEY",
    "previous_encoding_aes_key": "WECHAT_PREVIOUS_ENCODING_AES_KEY",
    "api_base_url": "WECHAT_API_BASE_URL",
    "redis_url": "WECHAT_REDIS_URL",
    "mode": "WECHAT_MODE",
    "inbound_journal_url": "WECHAT_INBOUND_JOURNAL_URL",
}
OFFICIAL_API = "https://api.weixin.qq.com/cgi-bin/"
# Messages whose turn is running, kept across a restart (channels/wechat/journal.py).
DEFAULT_INBOUND_JOURNAL = f"sqlite:///{PROJECT_ROOT / 'var' / 'wechat-inbound.db'}"


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    app_id: str
    app_secret: str
    encoding_aes_key: Optional[str]
    previous_encoding_aes_key: Optional[str]
    api_base_url: str
    mode: Optional[str] = None   # None: chosen from the key (`choose_mode`); always set after construction
    reply_budget_seconds: float = 4.0
    max_body_bytes: int = 64 * 1024
    timestamp_tolerance_seconds: int = 300
    dedupe_ttl_seconds: int = 600
    redis_url: Optional[str] = None
    customer_service_quota: int = 5
    erasure_retry_seconds: float = 30.0   # how often unfinished unsubscribe erasures are retried
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    inbound_journal_url: str = DEFAULT_INBOUND_JOURNAL   # any SQLAlchemy URL; shared by workers and instances
    journal_replay_max_age_seconds: float = 3600.0   # older unfinished messages are dropped, not answered
    journal_claim_seconds: float = 20.0   # a dead process's messages are replayed once its lease ran out
    journal_scan_seconds: float = 5.0     # how often unfinished messages are looked for

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", choose_mode(self.mode, self.encoding_aes_key))

    @property
    def token_url(self) -> str:
        return self.api_base_url.rstrip("/") + "/token"


def _value(credentials: Dict[str, Any], key: str) -> Optional[str]:
    env = ENV_OVERRIDES.get(key)
    value = os.environ.get(env) if env else None
    if value is None or value == "":
        value = credentials.get(key)
    return str(value) if value not in (None, "") else None


def choose_mode(configured: Optional[str], encoding_aes_key: Optional[str]) -> str:
    """The account's mode: as configured, else safe when an EncodingAESKey is set and plain otherwise.

    The mode is explicit because the channel used to accept plaintext POSTs even with a key configured: with one
    signature copied from any request URL an attacker could post as any follower. Safe mode refuses plaintext,
    plain mode refuses ciphertext, compat accepts both (for switching an account between modes).
    """
    if configured is None:
        return SAFE if encoding_aes_key else PLAIN
    mode = configured.strip().lower()
    if mode not in MODES:
        raise ValueError(f"wechat channel: mode (WECHAT_MODE) must be one of plain, compat, safe; got {configured!r}")
    if mode != PLAIN and not encoding_aes_key:
        raise ValueError(f"wechat channel: mode {mode} needs encoding_aes_key (WECHAT_ENCODING_AES_KEY); "
                         "set the account's EncodingAESKey or use mode plain")
    return mode


def settings_from_credentials(credentials: Optional[Dict[str, Any]]) -> WeChatSettings:
    """Build settings; a missing token, AppID or AppSecret is an operator error reported at start-up."""
    credentials = credentials or {}
    missing = [key for key in ("token", "app_id", "app_secret") if not _value(credentials, key)]
    if missing:
        names = ", ".join(f"{key} ({ENV_OVERRIDES[key]})" for key in missing)
        raise ValueError(f"wechat channel: missing {names} in credentials.yml or the environment")
    aes_key = _value(credentials, "encoding_aes_key")
    for name, key in (("encoding_aes_key", aes_key), ("previous_encoding_aes_key", _value(credentials, "previous_encoding_aes_key"))):
        if key is not None and len(key) != 43:
            raise ValueError(f"wechat channel: {name} must be 43 characters, got {len(key)}")
    return WeChatSettings(
        token=_value(credentials, "token"),  # type: ignore[arg-type]
        app_id=_value(credentials, "app_id"),  # type: ignore[arg-type]
        app_secret=_value(credentials, "app_secret"),  # type: ignore[arg-type]
        encoding_aes_key=aes_key,
        previous_encoding_aes_key=_value(credentials, "previous_encoding_aes_key"),
        api_base_url=_value(credentials, "api_base_url") or OFFICIAL_API,
        mode=_value(credentials, "mode"),
        reply_budget_seconds=float(credentials.get("reply_budget_seconds", 4.0)),
        max_body_bytes=int(credentials.get("max_body_bytes", 64 * 1024)),
        timestamp_tolerance_seconds=int(credentials.get("timestamp_tolerance_seconds", 300)),
        dedupe_ttl_seconds=int(credentials.get("dedupe_ttl_seconds", 600)),
        redis_url=_value(credentials, "redis_url"),
        customer_service_quota=int(credentials.get("customer_service_quota", 5)),
        erasure_retry_seconds=float(credentials.get("erasure_retry_seconds", 30.0)),
        max_message_chars=read_max_chars(credentials.get("max_message_chars"), "wechat channel"),
        inbound_journal_url=_value(credentials, "inbound_journal_url") or DEFAULT_INBOUND_JOURNAL,
        journal_replay_max_age_seconds=float(credentials.get("journal_replay_max_age_seconds", 3600.0)),
        journal_claim_seconds=float(credentials.get("journal_claim_seconds", 20.0)),
        journal_scan_seconds=float(credentials.get("journal_scan_seconds", 5.0)),
    )
