"""Unsubscribe erasure: every part is tried, failed parts are journalled and finished by a later retry."""
import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List

from bot import clock
from bot.erasure import ErasureJournal, FollowerErasure

UNFOLLOWED = datetime(2026, 11, 23, 10, 0, 0)


class Part:
    def __init__(self, failing: bool = False) -> None:
        self.failing = failing
        self.erased: List[str] = []
        self.before: List[datetime] = []

    async def __call__(self, openid: str, before: datetime) -> int:
        if self.failing:
            raise OSError("database is locked")
        self.erased.append(openid)
        self.before.append(before)
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
    assert asyncio.run(erasure.erase("o-2", unfollowed_at=UNFOLLOWED)) == ["crm"]
    assert parts["conversation"].erased == ["o-2"]          # the other parts are not held back
    assert ErasureJournal(journal.path).pending() == [      # survives a restart, with the unfollow time
        {"openid": "o-2", "parts": ["crm"], "unfollowed_at": "2026-11-23T10:00:00"}]
    assert asyncio.run(erasure.retry_pending()) == 1         # still down: kept
    parts["crm"].failing = False
    assert asyncio.run(erasure.retry_pending()) == 0
    assert parts["crm"].erased == ["o-2"] and journal.pending() == []
    assert parts["crm"].before == [UNFOLLOWED]               # the retry erases only what existed at the unfollow


def test_a_second_unsubscribe_merges_its_parts(tmp_path: Path) -> None:
    journal = ErasureJournal(tmp_path / "pending.jsonl")
    later = UNFOLLOWED + timedelta(days=2)
    journal.add("o-3", ["crm"], later)
    journal.add("o-3", ["repairs"], UNFOLLOWED)
    journal.add("o-4", ["crm"], UNFOLLOWED)
    assert sorted(journal.pending(), key=lambda e: e["openid"]) == [   # the later unfollow covers both
        {"openid": "o-3", "parts": ["crm", "repairs"], "unfollowed_at": later.isoformat()},
        {"openid": "o-4", "parts": ["crm"], "unfollowed_at": UNFOLLOWED.isoformat()}]


def test_a_journal_line_without_a_time_still_erases_everything(tmp_path: Path) -> None:
    journal = ErasureJournal(tmp_path / "pending.jsonl")
    journal.path.write_text('{"openid": "o-5", "parts": ["crm"]}\n', encoding="utf-8")   # written before times were kept
    part = Part()
    assert asyncio.run(FollowerErasure({"crm": part}, journal).retry_pending()) == 0
    assert part.erased == ["o-5"] and abs(part.before[0] - clock.now()) < timedelta(minutes=1)
