"""Durable journal of the follower messages whose Rasa turn is running, so a restart mid-turn loses none.

A message is written down (OpenID, de-duplication key, MsgId, the text that goes to Rasa, when it came) before
its turn runs, and finished once its answer was handed over (passive reply returned, or customer-service message
sent). A process that dies mid-turn leaves the entry unfinished; after a restart it is replayed exactly once,
or taken over by WeChat's retry of the same MsgId, never both.

"Exactly once" across Rasa workers and instances rests on one atomic claim: an entry is owned by one process
(`claimed_by`) until `claimed_until`; the owner keeps renewing the lease from a thread while it holds entries
(a blocked event loop does not make a live owner look dead), and anyone may take over an entry whose lease ran
out — its owner died. A finished entry keeps only its key for `keep_finished_seconds` (so a very late retry is
recognised as answered); the text is dropped at once. Entries are SQLAlchemy rows: a SQLite file under var/ by
default, any shared database for several instances.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import Boolean, Column, Float, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.backends.sql.database import engine_for

# What `admit` found.
NEW = "new"            # first sight of the message: recorded and claimed by us, run its turn
RESUMED = "resumed"    # journalled by a process that died mid-turn: claimed by us, run the turn (once)
BUSY = "busy"          # another live owner (a replay, another worker) runs it; it delivers the answer
FINISHED = "finished"  # answered already

_metadata = MetaData()
ENTRIES = Table(
    "wechat_inbound",
    _metadata,
    Column("key", String(200), primary_key=True),
    Column("openid", String(64), nullable=False, index=True),
    Column("account", String(64), nullable=False),
    Column("message_id", String(80), nullable=True),
    Column("text", Text, nullable=True),            # None once finished
    Column("metadata", Text, nullable=True),
    Column("cut", Boolean, nullable=False, default=False),
    Column("received_at", Float, nullable=False),
    Column("claimed_by", String(120), nullable=True),
    Column("claimed_until", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
)


@dataclass(frozen=True)
class JournalEntry:
    key: str
    openid: str
    account: str
    message_id: Optional[str]
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)
    cut: bool = False
    received_at: float = 0.0


def _worker_name() -> str:
    """Host and process of this Sanic worker (computed after the fork), plus a random part for pid reuse."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class InboundJournal:
    def __init__(self, url: str, claim_seconds: float = 20.0, keep_finished_seconds: float = 120.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.claim_seconds = claim_seconds
        self.keep_finished_seconds = keep_finished_seconds
        self._clock = clock
        self._engine = engine_for(url)
        _metadata.create_all(self._engine)
        self._engine.dispose()   # no pooled connection may cross into forked Sanic workers
        self._worker: Optional[str] = None
        self._worker_pid = -1
        self._renewer: Optional[threading.Thread] = None
        self._renew_lock = threading.Lock()

    @property
    def worker(self) -> str:
        if self._worker_pid != os.getpid():   # a forked Sanic worker is another owner than its parent
            self._worker, self._worker_pid, self._renewer = _worker_name(), os.getpid(), None
        return self._worker  # type: ignore[return-value]

    # -- the request path -------------------------------------------------------------------------
    def admit(self, entry: JournalEntry) -> str:
        """Record `entry` claimed by this process (NEW), or tell how an already journalled one stands."""
        now = self._clock()
        row = {"key": entry.key, "openid": entry.openid, "account": entry.account, "message_id": entry.message_id,
               "text": entry.text, "metadata": json.dumps(entry.metadata, ensure_ascii=False), "cut": entry.cut,
               "received_at": entry.received_at or now, "claimed_by": self.worker,
               "claimed_until": now + self.claim_seconds}
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(ENTRIES).values(**row))
        except IntegrityError:
            if self.claim(entry.key):
                self._keep_renewing()
                return RESUMED
            with self._engine.connect() as connection:
                finished = connection.execute(select(ENTRIES.c.finished_at).where(ENTRIES.c.key == entry.key)).scalar()
            return FINISHED if finished is not None else BUSY
        self._keep_renewing()
        return NEW

    def claim(self, key: str) -> bool:
        """Atomically take an unfinished entry nobody holds (its owner's lease ran out): one winner only."""
        now = self._clock()
        with self._engine.begin() as connection:
            taken = connection.execute(
                update(ENTRIES)
                .where(ENTRIES.c.key == key, ENTRIES.c.finished_at.is_(None),
                       (ENTRIES.c.claimed_until.is_(None)) | (ENTRIES.c.claimed_until < now))
                .values(claimed_by=self.worker, claimed_until=now + self.claim_seconds)
            ).rowcount
        if taken:
            self._keep_renewing()
        return taken == 1

    def release(self, key: str) -> None:
        """Give an entry back unfinished (e.g. the conversation store could not be read): a later scan retries."""
        with self._engine.begin() as connection:
            connection.execute(update(ENTRIES).where(ENTRIES.c.key == key, ENTRIES.c.claimed_by == self.worker)
                               .values(claimed_by=None, claimed_until=None))

    def finish(self, key: str) -> None:
        """The answer was handed over: the text goes at once, the bare key a little later (`purge`)."""
        with self._engine.begin() as connection:
            connection.execute(update(ENTRIES).where(ENTRIES.c.key == key)
                               .values(finished_at=self._clock(), text=None, metadata=None, claimed_until=None))

    # -- replay after a restart -------------------------------------------------------------------
    def replayable(self, max_age_seconds: float) -> List[JournalEntry]:
        """Unfinished entries younger than `max_age_seconds` whose owner is gone (lease over), oldest first."""
        now = self._clock()
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(ENTRIES)
                .where(ENTRIES.c.finished_at.is_(None), ENTRIES.c.received_at >= now - max_age_seconds,
                       (ENTRIES.c.claimed_until.is_(None)) | (ENTRIES.c.claimed_until < now))
                .order_by(ENTRIES.c.received_at)
            ).mappings().all()
        return [JournalEntry(r["key"], r["openid"], r["account"], r["message_id"], r["text"] or "",
                             json.loads(r["metadata"] or "{}"), bool(r["cut"]), r["received_at"]) for r in rows]

    def purge(self, max_age_seconds: float) -> int:
        """Delete finished entries past `keep_finished_seconds` and unfinished ones too old to replay."""
        now = self._clock()
        with self._engine.begin() as connection:
            return connection.execute(
                delete(ENTRIES).where(
                    (ENTRIES.c.finished_at < now - self.keep_finished_seconds)
                    | (ENTRIES.c.finished_at.is_(None) & (ENTRIES.c.received_at < now - max_age_seconds)))
            ).rowcount

    def forget(self, openid: str, before: Optional[float] = None) -> int:
        """Unsubscribe: delete the follower's entries (those received before `before`, when given)."""
        condition = ENTRIES.c.openid == openid
        if before is not None:
            condition = condition & (ENTRIES.c.received_at < before)
        with self._engine.begin() as connection:
            return connection.execute(delete(ENTRIES).where(condition)).rowcount

    # -- the lease --------------------------------------------------------------------------------
    def renew(self) -> int:
        """Extend this process's leases on its unfinished entries; how many it still holds."""
        now = self._clock()
        with self._engine.begin() as connection:
            return connection.execute(
                update(ENTRIES).where(ENTRIES.c.claimed_by == self.worker, ENTRIES.c.finished_at.is_(None))
                .values(claimed_until=now + self.claim_seconds)
            ).rowcount

    def _keep_renewing(self) -> None:
        """A daemon thread renews every third of the lease while this process holds entries, then ends."""
        with self._renew_lock:
            worker = self.worker
            if self._renewer is not None and self._renewer.is_alive():
                return

            def loop() -> None:
                while True:
                    time.sleep(self.claim_seconds / 3)
                    with self._renew_lock:   # an entry admitted meanwhile either is renewed here or starts a thread
                        try:
                            held = self.renew()
                        except Exception:   # the database briefly locked: try again on the next beat
                            held = 1
                        if not held or worker != self.worker:
                            self._renewer = None
                            return

            self._renewer = threading.Thread(target=loop, name="wechat-journal-lease", daemon=True)
            self._renewer.start()
