"""Erasing a conversation: everything on unsubscribe, only the events before the unfollow on a retried erasure."""
import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import clock
from channels.wechat.tracker_removal import forget_conversation

UNFOLLOWED = datetime(2026, 11, 23, 10, 0, 0)   # service-zone wall-clock, as the erasure journal keeps it


def _store(kind: str, tmp_path: Path) -> TrackerStore:
    if kind == "sql":
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    return InMemoryTrackerStore(Domain.empty())


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_a_retried_erasure_keeps_what_the_follower_said_after_following_again(kind: str, tmp_path: Path) -> None:
    store = _store(kind, tmp_path)
    cutoff = clock.aware(UNFOLLOWED).timestamp()
    events = [UserUttered("before", timestamp=cutoff - 60), UserUttered("after", timestamp=cutoff + 60)]

    async def run() -> list:
        await store.save(DialogueStateTracker.from_events("o-1", events))
        await forget_conversation(store, "o-1", before=UNFOLLOWED)
        kept = await store.retrieve_full_tracker("o-1")
        await forget_conversation(store, "o-1", before=UNFOLLOWED + timedelta(hours=1))
        gone = await store.retrieve_full_tracker("o-1")
        return [[e.text for e in t.events if isinstance(e, UserUttered)] if t else [] for t in (kept, gone)]

    assert asyncio.run(run()) == [["after"], []]
