from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from bot.backends.sql.crm import SqlCrm
from bot.backends.sql.repairs import SqlRepairDesk

NOW = datetime(2026, 11, 23, 10, 0)


@pytest.fixture()
def desk(database_url: str) -> SqlRepairDesk:
    return SqlRepairDesk(database_url)


def _line(database_url: str, mobile: str) -> int:
    crm = SqlCrm(database_url)
    return crm.broadband_lines(crm.customer_by_mobile(mobile).customer_id)[0].line_id


def test_visit_slots_are_three_future_half_days(desk: SqlRepairDesk) -> None:
    slots = desk.visit_slots(1, NOW)
    assert len(slots) == 3 and all(slot.starts >= NOW + timedelta(hours=2) for slot in slots)
    assert (slots[0].starts, slots[0].ends) == (datetime(2026, 11, 23, 14, 0), datetime(2026, 11, 23, 18, 0))


def test_two_concurrent_reports_open_exactly_one_ticket(desk: SqlRepairDesk, database_url: str) -> None:
    line = _line(database_url, "13712340001")
    slot = desk.visit_slots(line, NOW)[0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: SqlRepairDesk(database_url).open_ticket(line, "无法上网", slot, None, NOW), range(2)))
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].ticket.ticket_no == results[1].ticket.ticket_no
    again = desk.open_ticket(line, "网速慢", slot, None, NOW + timedelta(hours=3))
    assert again.created is False and again.ticket.ticket_no == results[0].ticket.ticket_no


def test_urging_is_limited_to_once_an_hour(desk: SqlRepairDesk) -> None:
    assert desk.urge("GZ2026112300123", NOW).accepted
    second = desk.urge("GZ2026112300123", NOW + timedelta(minutes=20))
    assert not second.accepted and second.next_allowed == NOW + timedelta(hours=1)
    assert desk.urge("GZ2026112300123", NOW + timedelta(minutes=61)).accepted
    assert not desk.urge("GZ2026112000045", NOW).accepted  # completed tickets cannot be urged


def test_cancel_frees_the_line_for_a_new_ticket(desk: SqlRepairDesk, database_url: str) -> None:
    line = _line(database_url, "18912340005")
    slot = desk.visit_slots(line, NOW)[0]
    first = desk.open_ticket(line, "无法上网", slot, None, NOW).ticket
    assert desk.cancel(first.ticket_no) and not desk.cancel(first.ticket_no)
    second = desk.open_ticket(line, "无法上网", slot, None, NOW)
    assert second.created and second.ticket.ticket_no != first.ticket_no


def test_rating_only_completed_tickets_once(desk: SqlRepairDesk) -> None:
    assert not desk.rate("GZ2026112000045", 6, "")
    assert desk.rate("GZ2026112000045", 5, "师傅很专业")
    assert not desk.rate("GZ2026112000045", 4, "改评")
    assert not desk.rate("GZ2026112300123", 5, "还没修好")


def test_photo_is_attached(desk: SqlRepairDesk, database_url: str) -> None:
    from bot.backends.sql import models as m
    from bot.backends.sql.database import session_factory

    desk.attach_photo("GZ2026112300123", "http://127.0.0.1/sim/photo.jpg")
    with session_factory(database_url)() as session:
        from sqlalchemy import select

        row = session.execute(select(m.FaultTicketRow).where(m.FaultTicketRow.ticket_no == "GZ2026112300123")).scalar_one()
        assert row.photo_url == "http://127.0.0.1/sim/photo.jpg"
