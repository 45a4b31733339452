"""A retried unsubscribe erasure deletes only what existed at the unfollow (issue 12, item 6): a follower who
followed again and bound, asked for a call-back, a restore notice or a code since then keeps the new records."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import List

from sqlalchemy import select

from bot import backends, clock
from bot.backends.sql import models as m
from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.database import session_factory
from bot.backends.sql.repairs import SqlRepairDesk
from bot.erasure import ErasureJournal, FollowerErasure, backend_erasers
from bot.verification import SENT

MOBILE, OPENID = "13800138000", "o-resubscribed"
TEMPLATE = "验证码{code}，{minutes}分钟内有效"


def test_a_retry_after_resubscribing_keeps_the_new_binding_and_requests(configured_backends: str, tmp_path: Path) -> None:
    crm, desk = SqlCrm(configured_backends), SqlRepairDesk(configured_backends)
    customer = crm.customer_by_mobile(MOBILE)
    first_line = crm.broadband_lines(customer.customer_id)[0].line_id
    second_line = crm.broadband_lines(crm.customer_by_mobile("13712340001").customer_id)[0].line_id
    crm.bind_openid(OPENID, customer.customer_id)
    old_callback = crm.request_callback(OPENID, MOBILE)
    desk.subscribe_restore_notice(first_line, OPENID)
    assert backends.get_verification().request_code(OPENID, MOBILE, TEMPLATE).outcome == SENT
    time.sleep(0.01)
    unfollowed = clock.now()              # the unfollow: the back end was down, so it was journalled
    journal = ErasureJournal(tmp_path / "pending.jsonl")
    journal.add(OPENID, ["crm", "repairs", "verification"], unfollowed)
    time.sleep(0.01)
    crm.bind_openid(OPENID, customer.customer_id)          # followed again and bound anew
    new_callback = crm.request_callback(OPENID, MOBILE)
    desk.subscribe_restore_notice(second_line, OPENID)

    assert asyncio.run(FollowerErasure(backend_erasers(), journal).retry_pending()) == 0
    assert crm.customer_for_openid(OPENID) is not None     # the new binding survives the late retry
    assert _callbacks(configured_backends) == [new_callback] and old_callback != new_callback
    assert _restore_notices(configured_backends) == [second_line]
    assert journal.pending() == []

    # A retry of a later unfollow takes everything made before that one.
    journal.add(OPENID, ["crm", "repairs"], clock.now())
    assert asyncio.run(FollowerErasure(backend_erasers(), journal).retry_pending()) == 0
    assert crm.customer_for_openid(OPENID) is None and _callbacks(configured_backends) == []
    assert _restore_notices(configured_backends) == []


def test_a_pending_code_asked_for_after_the_unfollow_is_kept(configured_backends: str) -> None:
    verification = backends.get_verification()
    assert verification.request_code(OPENID, MOBILE, TEMPLATE).outcome == SENT
    assert verification.forget_follower(OPENID, before=clock.now() - timedelta(seconds=60)) == 0   # sent after: kept
    assert verification.forget_follower(OPENID, before=clock.now() + timedelta(seconds=1)) == 1


def _callbacks(url: str) -> List[int]:
    with session_factory(url)() as session:
        return list(session.execute(select(m.CallbackRequestRow.id).where(m.CallbackRequestRow.openid == OPENID)).scalars())


def _restore_notices(url: str) -> List[int]:
    with session_factory(url)() as session:
        return list(session.execute(select(m.RestoreNoticeRow.line_id).where(m.RestoreNoticeRow.openid == OPENID)).scalars())


def test_an_existing_database_gets_the_restore_notice_time_on_its_next_seed(tmp_path: Path) -> None:
    from sqlalchemy import inspect, text

    from bot.backends.sql.database import create_schema, engine_for

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with engine_for(url).begin() as connection:   # the table as the first release made it
        connection.execute(text("CREATE TABLE restore_notices (line_id INTEGER NOT NULL, openid VARCHAR(64) NOT NULL, "
                                "PRIMARY KEY (line_id, openid))"))
        connection.execute(text("INSERT INTO restore_notices VALUES (1, 'o-old')"))
    create_schema(url)
    assert "requested_at" in {c["name"] for c in inspect(engine_for(url)).get_columns("restore_notices")}
    assert SqlRepairDesk(url).forget_follower("o-old", before=clock.now()) == 1   # no time: older than any unfollow
