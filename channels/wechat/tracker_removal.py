"""Delete a follower's whole conversation from Rasa's tracker store (WeChat requires it on unsubscribe).

Rasa 3.6 has no delete in its TrackerStore API, so this handles the stores we deploy on: SQL (our default),
in-memory and Redis. Any other store raises, so an operator notices instead of silently keeping data.
"""
from __future__ import annotations

import asyncio
import logging

from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)

logger = logging.getLogger(__name__)


class UnsupportedTrackerStore(RuntimeError):
    """The configured tracker store offers no way to delete a conversation."""


def _unwrap(store: TrackerStore) -> TrackerStore:
    """The real store inside Rasa's wrappers (AwaitableTrackerStore, FailSafeTrackerStore)."""
    while isinstance(store, AwaitableTrackerStore) or hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _delete_sql(store: SQLTrackerStore, sender_id: str) -> int:
    with store.session_scope() as session:
        deleted = (
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete(synchronize_session=False)
        )
        session.commit()
        return deleted


async def forget_conversation(store: TrackerStore, sender_id: str) -> None:
    store = _unwrap(store)
    if isinstance(store, SQLTrackerStore):
        await asyncio.get_running_loop().run_in_executor(None, _delete_sql, store, sender_id)
    elif isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, RedisTrackerStore):
        await asyncio.get_running_loop().run_in_executor(None, store.red.delete, store.key_prefix + sender_id)
    else:
        raise UnsupportedTrackerStore(f"cannot delete conversations from {type(store).__name__}")
