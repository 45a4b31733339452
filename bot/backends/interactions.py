"""Followers' latest interactions, as WeChat counts them for customer-service messages.

The WeChat channel records each follower message and each menu click / follow / QR scan; the outbound delivery
reads them to know whether a customer-service message is still allowed (5 within 48 h of a message, 3 within a
minute of an event) and counts what it sends against those quotas.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

MESSAGE = "message"   # the follower sent a message (text, voice, image, location …)
EVENT = "event"       # a menu click, a follow or a QR scan


@dataclass(frozen=True)
class Interactions:
    openid: str
    last_message_at: Optional[datetime]
    message_sends: int        # customer-service messages the account sent since that message
    last_event_at: Optional[datetime]
    event_sends: int


class InteractionLog(abc.ABC):
    @abc.abstractmethod
    def record(self, openid: str, kind: str, at: datetime) -> None:
        """A new message (or event) opens a new window: its count of sent messages starts at 0."""

    @abc.abstractmethod
    def latest(self, openid: str) -> Optional[Interactions]: ...

    @abc.abstractmethod
    def count_send(self, openid: str, kind: str) -> None:
        """One customer-service message was sent inside the window opened by `kind`."""

    @abc.abstractmethod
    def forget_follower(self, openid: str) -> int:
        """Unsubscribe: delete what is kept for the follower."""
