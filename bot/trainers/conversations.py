"""Reads the conversations of the deployment's tracker store (endpoints.yml), through Rasa's own store classes.

Any tracker store Rasa supports works (SQLite in the development run, PostgreSQL or Redis in production).
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, Iterator, List

from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import read_endpoint_config


class NoTrackerStore(RuntimeError):
    """endpoints.yml names no persistent tracker store, or it cannot be reached."""


def _store(endpoints: Path, domain: Domain) -> TrackerStore:
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise NoTrackerStore(f"{endpoints} configures no tracker_store: conversations are only kept in memory")
    store = TrackerStore.create(config, domain)
    if isinstance(store, InMemoryTrackerStore):   # Rasa falls back to memory when the store cannot be reached
        raise NoTrackerStore(f"the tracker store of {endpoints} cannot be reached")
    return store


def conversation_events(endpoints: Path = Path("endpoints.yml"), domain_path: Path = Path("domain")) -> Iterator[List[Dict[str, Any]]]:
    """The events of every conversation in the store, oldest first, as Rasa's event dicts."""
    domain = Domain.load(str(domain_path))
    store = _store(endpoints, domain)

    async def load() -> List[List[Dict[str, Any]]]:
        conversations = []
        for sender in await store.keys():
            tracker = await store.retrieve_full_tracker(sender)
            if tracker is not None:
                conversations.append([event.as_dict() for event in tracker.events])
        return conversations

    yield from asyncio.run(load())
