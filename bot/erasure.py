"""Erasing a follower's personal data when they unfollow, whatever is down at that moment.

WeChat requires it, and an unfollow arrives once: if a back end (or the conversation store) cannot be reached,
the erasure is written to a journal on local disk and retried until it succeeds, instead of being forgotten.
Each part is erased through the back-end interfaces, so a real CRM implements the same `forget_follower`.
Every part gets the unfollow time (`before`): a retry long after it deletes only what existed then, never what
the follower made after following again (a new binding).
"""
from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Awaitable, Callable, Dict, Iterator, List, Optional

from bot import clock
from bot.logs import log_event

logger = logging.getLogger(__name__)

JOURNAL_ENV = "BOT_ERASURE_JOURNAL"
DEFAULT_JOURNAL = Path("var") / "pending-erasures.jsonl"

# Erases one part of a follower's data made before the given time (service-zone wall-clock); raises when it cannot.
Eraser = Callable[[str, datetime], Awaitable[object]]


def backend_erasers() -> Dict[str, Eraser]:
    """The back ends' parts: binding and call-backs (CRM), restore notices (repairs), pending codes, consent
    records, the follower's link to survey answers (the scores stay, anonymous, for the figures), and what the
    outbound side keeps (the follower's last interactions and delivery records)."""
    from bot.backends import (get_consent, get_crm, get_deliveries, get_interactions, get_repairs, get_surveys,
                              get_verification)

    def run(blocking: Callable[[str, datetime], object]) -> Eraser:
        async def erase(openid: str, before: datetime) -> object:
            return await asyncio.get_running_loop().run_in_executor(None, blocking, openid, before)
        return erase

    return {
        "crm": run(lambda openid, before: get_crm().forget_follower(openid, before=before)),
        "repairs": run(lambda openid, before: get_repairs().forget_follower(openid, before=before)),
        "verification": run(lambda openid, before: get_verification().forget_follower(openid, before=before)),
        "consent": run(lambda openid, before: get_consent().forget_follower(openid, before=before)),
        # whole: the window bookkeeping and delivery log of a re-subscribed follower start again from their next message
        "outbound": run(lambda openid, before: get_interactions().forget_follower(openid) + get_deliveries().forget_follower(openid)),
        "surveys": run(lambda openid, before: get_surveys().forget_follower(openid)),
    }


class ErasureJournal:
    """Follower erasures still to do, one JSON line each; safe for several processes (an exclusive file lock)."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path or os.environ.get(JOURNAL_ENV) or DEFAULT_JOURNAL)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> List[Dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def _write(self, entries: List[Dict[str, object]]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
        os.replace(temporary, self.path)

    def add(self, openid: str, parts: List[str], unfollowed_at: datetime) -> None:
        """Journal `parts` with the unfollow time; a second unfollow merges its parts and moves the time on
        (everything before the later unfollow goes)."""
        with self._locked():
            entries = self._read()
            previous = next((e for e in entries if e["openid"] == openid), None)
            entries = [e for e in entries if e["openid"] != openid]
            merged = sorted(set(parts) | set(previous["parts"] if previous else []))  # type: ignore[arg-type]
            moment = max([unfollowed_at] + ([unfollowed_time(previous)] if previous else []))
            self._write(entries + [{"openid": openid, "parts": merged, "unfollowed_at": moment.isoformat()}])

    def pending(self) -> List[Dict[str, object]]:
        with self._locked():
            return self._read()

    def settle(self, openid: str, parts_left: List[str]) -> None:
        with self._locked():
            entries = self._read()
            previous = next((e for e in entries if e["openid"] == openid), None)
            entries = [e for e in entries if e["openid"] != openid]
            if parts_left and previous is not None:
                entries.append({**previous, "parts": sorted(parts_left)})
            self._write(entries)


def unfollowed_time(entry: Dict[str, object]) -> datetime:
    """When the journalled unfollow happened; a line written before times were kept counts as "now" (erase all)."""
    stamp = entry.get("unfollowed_at")
    return datetime.fromisoformat(str(stamp)) if stamp else clock.now()


class FollowerErasure:
    def __init__(self, erasers: Dict[str, Eraser], journal: ErasureJournal) -> None:
        self.erasers = erasers
        self.journal = journal

    async def erase(self, openid: str, parts: Optional[List[str]] = None, unfollowed_at: Optional[datetime] = None) -> List[str]:
        """Erase every part (or the given ones) at once; parts that failed are journalled with the unfollow time
        (default: now) and returned."""
        names = parts or list(self.erasers)
        moment = unfollowed_at or clock.now()
        outcomes = await asyncio.gather(*(self.erasers[name](openid, moment) for name in names), return_exceptions=True)
        failed = [name for name, outcome in zip(names, outcomes) if isinstance(outcome, BaseException)]
        for name, outcome in zip(names, outcomes):
            if isinstance(outcome, BaseException):  # a locked, read-only or missing database; a server away
                log_event(logger, "erasure.deferred", logging.WARNING, openid=openid, part=name, error=type(outcome).__name__)
        if failed:
            self.journal.add(openid, failed, moment)
        return failed

    async def retry_pending(self) -> int:
        """Try the journalled erasures again; returns how many followers are still pending."""
        still_pending = 0
        for entry in self.journal.pending():
            openid = str(entry["openid"])
            wanted = [p for p in entry["parts"] if p in self.erasers]  # type: ignore[union-attr]
            moment = unfollowed_time(entry)   # what the follower made after that (re-subscribed) stays
            outcomes = await asyncio.gather(*(self.erasers[part](openid, moment) for part in wanted), return_exceptions=True)
            left = [part for part, outcome in zip(wanted, outcomes) if isinstance(outcome, BaseException)]
            if left:
                log_event(logger, "erasure.still_deferred", logging.WARNING, openid=openid, parts=",".join(left))
            self.journal.settle(openid, left)
            still_pending += bool(left)
            if not left:
                log_event(logger, "erasure.done_late", logging.INFO, openid=openid)
        return still_pending
