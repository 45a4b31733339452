"""Unsubscribe erasure: every part is tried, failed parts are journalled and finished by a later retry."""
import asyncio
from pathlib import Path
from typing import Dict, List

from bot.erasure import ErasureJournal, FollowerErasure


class Part:
    def __init__(self, failing: bool = False) -> None:
        self.failing = failing
        self.erased: List[str] = []

    async def __call__(self, openid: str) -> int:
        if self.failing:
            raise OSError("database is locked")
        self.erased.append(openid)
        return 1


def test_every_part_is_erased_and_nothing_is_journalled(tmp_path: Path) -> None:
    parts: Dict[str, Part] = {"crm": Part(), "conversation": Part()}
    erasure = FollowerErasure(parts, ErasureJournal(tmp_path / "pending.jsonl"))
    assert asyncio.run(erasure.erase("o-1")) == []
    assert parts["crm"].erased == ["o-1"] and parts["conversation"].erased == ["o-1"]
    assert erasure.journal.pending() == []


def test_a_failed_part_is_journalled_and_finished_by_a_later_retry(tmp_path: Path) -> None:
    parts = {"crm": Part(failing=True), "conversation": Part()}
    journal = ErasureJournal(tmp_path / "pending.jsonl")
    erasure = FollowerErasure(parts, journal)
    assert asyncio.run(erasure.erase("o-2")) == ["crm"]
    assert parts["conversation"].erased == ["o-2"]          # the other parts are not held back
    assert ErasureJournal(journal.path).pending() == [{"openid": "o-2", "parts": ["crm"]}]   # survives a restart
    assert asyncio.run(erasure.retry_pending()) == 1         # still down: kept
    parts["crm"].failing = False
    assert asyncio.run(erasure.retry_pending()) == 0
    assert parts["crm"].erased == ["o-2"] and journal.pending() == []


def test_a_second_unsubscribe_merges_its_parts(tmp_path: Path) -> None:
    journal = ErasureJournal(tmp_path / "pending.jsonl")
    journal.add("o-3", ["crm"])
    journal.add("o-3", ["repairs"])
    journal.add("o-4", ["crm"])
    assert sorted(journal.pending(), key=lambda e: e["openid"]) == [{"openid": "o-3", "parts": ["crm", "repairs"]},
                                                                    {"openid": "o-4", "parts": ["crm"]}]
