"""Customer-service (客服) message API client: delivers the bot's words after the passive-reply window.

wechatpy is synchronous, so every call runs in an executor. Its auto-retry on token errors recurses without
limit; we turn it off and allow exactly one token refresh per send. A failing token endpoint trips a cool-down
so a burst of messages cannot hammer it.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage

from bot.logs import log_event
from channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001}
WINDOW_CLOSED = 45015      # past 48 h, or the follower unsubscribed
QUOTA_EXHAUSTED = 45047
SYSTEM_BUSY = -1
TOKEN_COOLDOWN_SECONDS = 30.0


class ConfigurableWeChatClient(WeChatClient):
    """wechatpy's client with the API base and token URL taken from configuration (tests: the local stand-in)."""

    def __init__(self, settings: WeChatSettings, session=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings.app_id, settings.app_secret, session=session or MemoryStorage(), timeout=5, auto_retry=False)
        self.API_BASE_URL = settings.api_base_url.rstrip("/") + "/"
        self._token_url = settings.token_url
        self._token_lock = threading.Lock()
        self._token_failed_at: Optional[float] = None

    def fetch_access_token(self):  # type: ignore[no-untyped-def]
        with self._token_lock:
            if self._token_failed_at is not None and time.monotonic() - self._token_failed_at < TOKEN_COOLDOWN_SECONDS:
                raise WeChatClientException(None, "access_token endpoint cooling down after a failure")
            try:
                result = self._fetch_access_token(
                    url=self._token_url,
                    params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
                )
            except Exception:
                self._token_failed_at = time.monotonic()
                raise
            self._token_failed_at = None
            return result


def post_with_one_refresh(client: WeChatClient, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
    """One API call, with at most one token refresh and one retry when WeChat is busy (also used by the
    outbound campaigns, bot.outbound.wechat_api)."""
    try:
        return client.post(path, data=body)
    except WeChatClientException as error:
        if error.errcode in TOKEN_ERRORS:
            client.session.delete(client.access_token_key)
            client.fetch_access_token()
            return client.post(path, data=body)
        if error.errcode == SYSTEM_BUSY:
            time.sleep(0.5)
            return client.post(path, data=body)
        raise


@dataclass(frozen=True)
class Delivery:
    sent: int
    dropped: int
    errcode: Optional[int]


class CustomerServiceSender:
    def __init__(self, settings: WeChatSettings, session=None) -> None:  # type: ignore[no-untyped-def]
        self._client = ConfigurableWeChatClient(settings, session)
        self._quota = settings.customer_service_quota

    def _send_one(self, body: Dict[str, Any]) -> None:
        post_with_one_refresh(self._client, "message/custom/send", body)

    def send_all(self, bodies: List[Dict[str, Any]]) -> Delivery:
        """Send in order, within the per-follower quota; stop at the first error that later messages would share."""
        sent = 0
        for body in bodies[: self._quota]:
            try:
                self._send_one(body)
                sent += 1
            except WeChatClientException as error:
                log_event(logger, "wechat.cs_send_failed", logging.WARNING, errcode=error.errcode, errmsg=str(error.errmsg),
                                                                sent=sent, pending=len(bodies) - sent)
                return Delivery(sent, len(bodies) - sent, error.errcode)
            except Exception as error:  # network errors: the stand-in or WeChat unreachable
                log_event(logger, "wechat.cs_send_failed", logging.WARNING, error=type(error).__name__, sent=sent)
                return Delivery(sent, len(bodies) - sent, None)
        if len(bodies) > self._quota:
            log_event(logger, "wechat.cs_quota_cut", logging.WARNING, dropped=len(bodies) - self._quota)
        return Delivery(sent, max(len(bodies) - self._quota, 0), None)

    def _typing(self, openid: str) -> bool:
        """Best effort: WeChat shows "typing…" for 15 s (needs an interaction in the last 30 s)."""
        try:
            self._client.post("message/custom/typing", data={"touser": openid, "command": "Typing"})
            return True
        except Exception:
            return False

    async def show_typing(self, openid: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(None, self._typing, openid)

    async def deliver(self, bodies: List[Dict[str, Any]]) -> Delivery:
        return await asyncio.get_running_loop().run_in_executor(None, self.send_all, bodies)
