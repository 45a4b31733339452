"""Delete a follower's whole conversation from Rasa's tracker store (WeChat requires it on unsubscribe).

Rasa 3.6 has no delete in its TrackerStore API, so this handles the stores we deploy on: SQL (our default),
in-memory and Redis. Any other store raises, so an operator notices instead of silently keeping data.
With `before` (a retried erasure), only events from before the unfollow go: a conversation the follower started
after following again stays.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Optional

from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import clock

logger = logging.getLogger(__name__)


class UnsupportedTrackerStore(RuntimeError):
    """The configured tracker store offers no way to delete a conversation."""


def _unwrap(store: TrackerStore) -> TrackerStore:
    """The real store inside Rasa's wrappers (AwaitableTrackerStore, FailSafeTrackerStore)."""
    while isinstance(store, AwaitableTrackerStore) or hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _delete_sql(store: SQLTrackerStore, sender_id: str, before: Optional[float] = None) -> int:
    with store.session_scope() as session:
        events = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id)
        if before is not None:
            events = events.filter(store.SQLEvent.timestamp < before)
        deleted = events.delete(synchronize_session=False)
        session.commit()
        return deleted


async def _keep_events_since(store: TrackerStore, sender_id: str, since: float) -> bool:
    """In-memory and Redis stores keep a conversation as one value: rewrite it with the later events only.
    True when none remain (the caller deletes it)."""
    tracker = await store.retrieve_full_tracker(sender_id)
    if tracker is None:
        return False
    kept = [event for event in tracker.events if event.timestamp >= since]
    if not kept:
        return True
    await store.save(DialogueStateTracker.from_events(sender_id, kept, store.domain.slots))
    return False


async def forget_conversation(store: TrackerStore, sender_id: str, before: Optional[datetime] = None) -> None:
    store = _unwrap(store)
    cutoff = clock.aware(before).timestamp() if before is not None else None   # events carry epoch seconds
    if isinstance(store, SQLTrackerStore):
        await asyncio.get_running_loop().run_in_executor(None, _delete_sql, store, sender_id, cutoff)
        return
    if cutoff is not None and isinstance(store, (InMemoryTrackerStore, RedisTrackerStore)):
        if not await _keep_events_since(store, sender_id, cutoff):
            return
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, RedisTrackerStore):
        await asyncio.get_running_loop().run_in_executor(None, store.red.delete, store.key_prefix + sender_id)
    else:
        raise UnsupportedTrackerStore(f"cannot delete conversations from {type(store).__name__}")
