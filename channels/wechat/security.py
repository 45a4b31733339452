"""Signature checks, the account's mode, and AES (compat/safe mode) envelopes, on wechatpy, with key rotation."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import List, Mapping, Optional

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from channels.wechat.settings import PLAIN, SAFE, WeChatSettings


class RejectedRequest(Exception):
    """The request must not reach Rasa; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class OpenedRequest:
    xml: str
    crypto: Optional[WeChatCrypto]  # the key that opened it; replies are sealed with the same key
    nonce: str
    timestamp: str

    @property
    def fingerprint(self) -> str:
        """Identifies the message itself (not its envelope): a retry re-encrypted by WeChat has the same one."""
        return hashlib.sha256(self.xml.encode("utf-8")).hexdigest()


class RequestGuard:
    def __init__(self, settings: WeChatSettings, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        self._settings = settings
        self._clock = clock
        keys = [settings.encoding_aes_key, settings.previous_encoding_aes_key]
        self._cryptos: List[WeChatCrypto] = [
            WeChatCrypto(settings.token, key, settings.app_id) for key in keys if key
        ]

    def verify_url(self, query: Mapping[str, str]) -> str:
        """GET verification: the echostr when the signature is right."""
        self._check_signature(query)
        return query.get("echostr", "")

    def open(self, query: Mapping[str, str], body: bytes) -> OpenedRequest:
        """Signature, freshness, the account's mode, then decryption when `encrypt_type=aes`; the message XML.

        Safe mode refuses plaintext and plain mode ciphertext (403): `signature` does not cover the body, so a
        plaintext POST in safe mode could be anyone's. Compat accepts both, as WeChat's compat mode sends both.
        """
        self._check_signature(query)
        self._check_fresh(query.get("timestamp", ""))
        nonce, timestamp = query.get("nonce", ""), query.get("timestamp", "")
        encrypted = query.get("encrypt_type", "raw") == "aes"
        mode = self._settings.mode
        if not encrypted and mode == SAFE:
            raise RejectedRequest(403, "plaintext message refused in safe mode")
        if encrypted and mode == PLAIN:
            raise RejectedRequest(403, "encrypted message refused in plain mode")
        if not encrypted:
            return OpenedRequest(body.decode("utf-8"), None, nonce, timestamp)
        if not self._cryptos:
            raise RejectedRequest(400, "encrypted message but no EncodingAESKey configured")
        for crypto in self._cryptos:
            try:
                xml = crypto.decrypt_message(body, query.get("msg_signature", ""), timestamp, nonce)
                return OpenedRequest(xml, crypto, nonce, timestamp)
            except InvalidSignatureException:
                raise RejectedRequest(403, "invalid msg_signature")
            except Exception:  # wrong key or AppID shows as UnicodeDecodeError, ValueError, InvalidAppIdException…
                continue
        raise RejectedRequest(400, "message could not be decrypted with any configured key")

    @staticmethod
    def seal(opened: OpenedRequest, reply_xml: str) -> str:
        """Encrypt the reply with the key that opened the request, using the request's nonce and timestamp."""
        if opened.crypto is None or not reply_xml:
            return reply_xml
        return opened.crypto.encrypt_message(reply_xml, opened.nonce, opened.timestamp)

    def _check_signature(self, query: Mapping[str, str]) -> None:
        try:
            check_signature(self._settings.token, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
        except InvalidSignatureException:
            raise RejectedRequest(403, "invalid signature")

    def _check_fresh(self, timestamp: str) -> None:
        try:
            age = abs(self._clock() - int(timestamp))
        except ValueError:
            raise RejectedRequest(403, "timestamp is not a number")
        if age > self._settings.timestamp_tolerance_seconds:
            raise RejectedRequest(403, "stale timestamp (replayed request?)")
