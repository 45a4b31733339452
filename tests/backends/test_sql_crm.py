from datetime import timedelta

import pytest

from bot.backends.sql.crm import SqlCrm
from tests.conftest import FIXED_NOW


@pytest.fixture()
def crm(database_url: str) -> SqlCrm:
    return SqlCrm(database_url)


def test_customer_found_by_mobile_has_a_checksum_valid_id_card(crm: SqlCrm) -> None:
    from bot.id_card import is_valid_id_card

    customer = crm.customer_by_mobile("13800138000")
    assert customer is not None and customer.name == "张伟"
    assert is_valid_id_card(customer.id_card)


def test_unknown_mobile_finds_nobody(crm: SqlCrm) -> None:
    assert crm.customer_by_mobile("13000000000") is None


def test_binding_an_openid_then_rebinding_moves_it_to_the_new_customer(crm: SqlCrm) -> None:
    first = crm.customer_by_mobile("13800138000")
    second = crm.customer_by_mobile("13912345678")
    crm.bind_openid("o-test-rebind", first.customer_id)
    assert crm.customer_for_openid("o-test-rebind") == first
    crm.bind_openid("o-test-rebind", second.customer_id)
    assert crm.customer_for_openid("o-test-rebind") == second


def test_unbinding_removes_the_binding_once(crm: SqlCrm) -> None:
    customer = crm.customer_by_mobile("13800138000")
    crm.bind_openid("o-test-unbind", customer.customer_id)
    assert crm.unbind_openid("o-test-unbind") is True
    assert crm.customer_for_openid("o-test-unbind") is None
    assert crm.unbind_openid("o-test-unbind") is False


def test_vip_customer_has_an_account_manager(crm: SqlCrm) -> None:
    vip = crm.customer_by_mobile("13800138000")
    assert vip.is_vip
    manager = crm.account_manager(vip.manager_id)
    assert manager is not None and manager.phone.startswith("1")


def test_ordinary_customer_has_no_manager(crm: SqlCrm) -> None:
    ordinary = crm.customer_by_mobile("13912345678")
    assert not ordinary.is_vip and ordinary.manager_id is None


def test_demo_broadband_lines_cover_every_diagnosis(crm: SqlCrm) -> None:
    diagnoses = set()
    for mobile in ("13800138000", "13912345678", "13712340001", "13612340002", "13512340003", "18812340004"):
        customer = crm.customer_by_mobile(mobile)
        diagnoses.update(line.diagnosis for line in crm.broadband_lines(customer.customer_id))
    assert diagnoses == {"no_fault", "port_down", "low_optical_power", "arrears", "auth_failure", "area_outage"}


def test_line_is_found_by_its_broadband_account(crm: SqlCrm) -> None:
    line = crm.broadband_lines(crm.customer_by_mobile("13912345678").customer_id)[0]
    assert crm.broadband_line_by_account(line.account) == line


def test_service_halls_filter_by_district(crm: SqlCrm) -> None:
    halls = crm.service_halls("天河区")
    assert len(halls) >= 2 and {hall.district for hall in halls} == {"天河区"}
    assert all(22.5 < hall.latitude < 23.7 and 113.0 < hall.longitude < 114.0 for hall in crm.service_halls())


def test_bookings_by_id_card_are_ordered_by_departure_and_cover_all_window_states(crm: SqlCrm) -> None:
    zhang = crm.customer_by_mobile("13800138000")
    bookings = crm.bookings_by_id_card(zhang.id_card)
    departures = [b.flight.departure for b in bookings]
    assert departures == sorted(departures)
    offsets = {b.flight.departure - FIXED_NOW.replace(second=0, microsecond=0) for b in bookings}
    assert any(timedelta(minutes=45) < o < timedelta(hours=24) for o in offsets)  # window open
    assert any(o > timedelta(hours=24) for o in offsets)                         # not yet open
    assert any(o < timedelta(minutes=45) for o in offsets)                       # already closed


def test_booking_by_ticket_number_and_lower_case_x_id_card(crm: SqlCrm) -> None:
    booking = crm.booking_by_ticket_number("7842100000005")
    assert booking is not None and booking.seat_no == "33A" and booking.checked_in_at is not None
    assert crm.booking_by_ticket_number("7840000000000") is None


def test_seat_map_marks_taken_seats_and_exit_rows(crm: SqlCrm) -> None:
    booking = crm.booking_by_ticket_number("7842100000005")
    seats = {seat.seat_no: seat for seat in crm.seat_map(booking.flight.flight_id)}
    assert seats["33A"].is_free is False
    assert seats["33B"].is_free is True
    assert seats["31A"].is_exit_row and not seats["35A"].is_exit_row
    assert seats["30A"].is_window and seats["30C"].is_aisle
