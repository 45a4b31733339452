"""WeChat's message encryption, written from the protocol (not wechatpy), so tests cross-check the channel.

AES-256-CBC, key = b64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7 padded to 32 bytes;
plaintext = 16 random bytes + 4-byte big-endian length + XML + AppID; signatures are SHA-1 over sorted parts.
"""
from __future__ import annotations

import base64
import hashlib
import os
import struct
from typing import Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(Exception):
    pass


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


class MessageCipher:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self._key = base64.b64decode(encoding_aes_key + "=")
        if len(self._key) != 32:
            raise CryptoError("EncodingAESKey must decode to 32 bytes")
        self._app_id = app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, xml: str, random_prefix: Optional[bytes] = None) -> str:
        body = xml.encode("utf-8")
        plain = (random_prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body + self._app_id.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            decryptor = self._cipher().decryptor()
            plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
            pad = plain[-1]
            if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
                raise CryptoError("bad padding")
            plain = plain[:-pad]
            (length,) = struct.unpack(">I", plain[16:20])
            xml, app_id = plain[20:20 + length], plain[20 + length:]
        except CryptoError:
            raise
        except Exception as error:
            raise CryptoError(f"cannot decrypt: {type(error).__name__}") from error
        if app_id.decode("utf-8", "replace") != self._app_id:
            raise CryptoError("wrong AppID in the envelope")
        return xml.decode("utf-8")
