"""The two WeChat calls the account makes first: a customer-service text and a template message, through
wechatpy's client pointed at configuration's API base (the local stand-in unless an operator sets WeChat's).

Every answer becomes an ApiAnswer with WeChat's errcode (0: accepted), or one of our own negative codes when the
request never got an answer, so the delivery can record it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Dict, Optional

import requests
from wechatpy.exceptions import WeChatClientException

from channels.wechat.customer_service import ConfigurableWeChatClient, post_with_one_refresh
from channels.wechat.settings import WeChatSettings

UNREACHABLE = -1001    # the request could not be made (connection refused, DNS): certainly not delivered
IN_DOUBT = -1002       # no answer (timeout): WeChat may or may not have delivered it
NO_SERVICE = -1003     # an HTTP error, or the token endpoint failed and is cooling down: not delivered


@dataclass(frozen=True)
class ApiAnswer:
    errcode: int
    msgid: Optional[str] = None
    errmsg: str = ""


def client_msg_id(campaign: str, openid: str, dedupe_key: str) -> str:
    """Stable per campaign, follower and occasion: WeChat drops a second template send with it (10 minutes)."""
    return hashlib.sha256(f"{campaign}|{openid}|{dedupe_key}".encode("utf-8")).hexdigest()[:32]


class OutboundApi:
    def __init__(self, settings: WeChatSettings, session: Any = None) -> None:
        self._client = ConfigurableWeChatClient(settings, session)

    def _call(self, path: str, body: Dict[str, Any]) -> ApiAnswer:
        try:
            result = post_with_one_refresh(self._client, path, body)
        except WeChatClientException as error:
            if error.errcode is None:
                return ApiAnswer(NO_SERVICE, errmsg=str(error.errmsg))
            return ApiAnswer(int(error.errcode), errmsg=str(error.errmsg))
        except requests.ConnectionError as error:
            return ApiAnswer(UNREACHABLE, errmsg=type(error).__name__)
        except requests.RequestException as error:
            return ApiAnswer(IN_DOUBT, errmsg=type(error).__name__)
        msgid = result.get("msgid") if isinstance(result, dict) else None
        return ApiAnswer(0, str(msgid) if msgid is not None else None)

    def send_text(self, openid: str, text: str) -> ApiAnswer:
        return self._call("message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": text}})

    def send_template(self, body: Dict[str, Any]) -> ApiAnswer:
        """`body` as built by the delivery (touser, template_id, data, client_msg_id, optional url)."""
        return self._call("message/template/send", body)
