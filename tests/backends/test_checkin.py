import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from bot.backends.checkin import AttemptLimits, SeatTaken
from bot.backends.sql.checkin import SqlCheckInDesk
from bot.backends.sql.crm import SqlCrm
from bot.checkin_rules import CLOSED, NOT_YET, OPEN, SeatRequest, load_checkin_rules, pick_seat, seat_map, seat_request_from
from tests.conftest import FIXED_NOW


@pytest.fixture()
def desk(database_url: str) -> SqlCheckInDesk:
    return SqlCheckInDesk(database_url)


def test_two_passengers_taking_the_same_seat_at_once_exactly_one_gets_it(desk: SqlCheckInDesk, database_url: str) -> None:
    crm = SqlCrm(database_url)
    first = crm.booking_by_ticket_number("7842100000001")   # 张伟 on CZ3101
    second = crm.booking_by_ticket_number("7842100000005")  # 李娜 on CZ3101, seated in 33A
    assert first.flight.flight_id == second.flight.flight_id

    def take(booking_id: int) -> str:
        try:
            SqlCheckInDesk(database_url).check_in(booking_id, "40L", FIXED_NOW)
            return "ok"
        except SeatTaken:
            return "taken"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(take, [first.booking_id, second.booking_id]))
    assert outcomes == ["ok", "taken"]
    holders = [b for b in (desk.booking(first.booking_id), desk.booking(second.booking_id)) if b.seat_no == "40L"]
    assert len(holders) == 1


def test_a_taken_or_missing_seat_is_refused(desk: SqlCheckInDesk, database_url: str) -> None:
    crm = SqlCrm(database_url)
    booking = crm.booking_by_ticket_number("7842100000001")
    someone_elses = crm.booking_by_ticket_number("7842100000005").seat_no  # 李娜's seat on the same flight
    with pytest.raises(SeatTaken):
        desk.check_in(booking.booking_id, someone_elses, FIXED_NOW)
    with pytest.raises(SeatTaken):
        desk.check_in(booking.booking_id, "99Z", FIXED_NOW)


def test_changing_seat_and_cancelling_release_the_old_seat(desk: SqlCheckInDesk, database_url: str) -> None:
    crm = SqlCrm(database_url)
    booking = crm.booking_by_ticket_number("7842100000006")
    desk.check_in(booking.booking_id, "35C", FIXED_NOW)
    desk.check_in(booking.booking_id, "36C", FIXED_NOW + timedelta(minutes=5))
    free = {s.seat_no: s.is_free for s in crm.seat_map(booking.flight.flight_id)}
    assert free["35C"] and not free["36C"]
    assert desk.cancel_check_in(booking.booking_id) and not desk.cancel_check_in(booking.booking_id)
    assert desk.booking(booking.booking_id).seat_no is None


def test_window_states(database_url: str) -> None:
    rules = load_checkin_rules()
    states = {b.flight.flight_no: rules.window_state(b.flight, FIXED_NOW)
              for b in SqlCrm(database_url).bookings_by_id_card(SqlCrm(database_url).customer_by_mobile("13800138000").id_card)}
    assert states == {"CZ6301": CLOSED, "CZ3101": OPEN, "CZ3501": OPEN, "CZ3301": NOT_YET}


@pytest.mark.parametrize("seat, preference, row, expected", [
    ("32A", None, None, SeatRequest("specific", "32A")), ("5c", "window", None, SeatRequest("specific", "5C")),
    (None, "window", None, SeatRequest("window")), (None, "aisle", "35", SeatRequest("aisle", row=35)),
    (None, None, "35", SeatRequest("random", row=35)), (None, "front", None, SeatRequest("front")),
    (None, "sideways", None, None), (None, None, None, None)])
def test_seat_wishes_from_entities(seat, preference, row, expected) -> None:
    assert seat_request_from(seat, preference, row) == expected


def test_a_wished_row_gets_the_matching_seat_nearest_to_it(database_url: str) -> None:
    crm = SqlCrm(database_url)
    seats = crm.seat_map(crm.booking_by_ticket_number("7842100000005").flight.flight_id)
    seat = pick_seat(seats, SeatRequest("window", row=35), load_checkin_rules(), "x")
    assert seat.is_window and seat.row == 35
    exit_row = pick_seat(seats, SeatRequest("aisle", row=31), load_checkin_rules(), "x")
    assert exit_row.is_aisle and not exit_row.is_exit_row and exit_row.row in (30, 33)


def test_preferences_pick_free_non_exit_seats_and_the_map_marks_them(database_url: str) -> None:
    crm = SqlCrm(database_url)
    seats = crm.seat_map(crm.booking_by_ticket_number("7842100000005").flight.flight_id)
    rules = load_checkin_rules()
    window = pick_seat(seats, SeatRequest("window"), rules, "x")
    aisle = pick_seat(seats, SeatRequest("aisle"), rules, "x")
    random_one = pick_seat(seats, SeatRequest("random"), rules, "seed")
    assert window.is_window and aisle.is_aisle and not random_one.is_exit_row and random_one.is_free
    assert pick_seat(seats, SeatRequest("random"), rules, "seed") == random_one
    taken = next(s for s in seats if not s.is_free)
    text = seat_map(seats, taken.row, mark=window.seat_no if abs(window.row - taken.row) <= 2 else None)
    assert "■" in text and "□" in text
    assert "EXIT" in seat_map(seats, 31, exit_mark="EXIT") and "EXIT" not in seat_map(seats, 20, exit_mark="EXIT") and "★" in seat_map(seats, window.row, mark=window.seat_no)


# -- identification attempts ------------------------------------------------------------------------
LIMITS = AttemptLimits(per_follower=5, per_identifier=3, window=timedelta(hours=1), lock=timedelta(hours=1))


def _fresh(prefix: str) -> str:
    """A follower or identifier no other test has counted against (the database lives for the module)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _fail(desk: SqlCheckInDesk, follower: str, identifier: str, now=FIXED_NOW):
    assert desk.begin_identification(follower, identifier, LIMITS, now) is None
    return desk.end_identification(follower, identifier, False, LIMITS, now)


def test_five_failures_of_one_follower_lock_it_for_an_hour_whatever_the_numbers(desk: SqlCheckInDesk) -> None:
    follower = _fresh("o-guess")
    ends = [_fail(desk, follower, _fresh("tkt"), FIXED_NOW + timedelta(minutes=i)) for i in range(5)]
    assert ends[:4] == [None] * 4 and ends[4] == FIXED_NOW + timedelta(minutes=4) + LIMITS.lock
    later = FIXED_NOW + timedelta(minutes=30)
    assert desk.begin_identification(follower, _fresh("tkt"), LIMITS, later) == ends[4]
    assert desk.identification_locked_until(follower, _fresh("tkt"), LIMITS, later) == ends[4]
    assert desk.begin_identification(_fresh("o-other"), _fresh("tkt"), LIMITS, later) is None  # others are not locked
    after_lock = ends[4] + timedelta(seconds=1)
    assert desk.identification_locked_until(follower, _fresh("tkt"), LIMITS, after_lock) is None
    assert desk.begin_identification(follower, _fresh("tkt"), LIMITS, after_lock) is None   # a new window


def test_three_failures_against_one_number_lock_it_for_every_follower(desk: SqlCheckInDesk) -> None:
    ticket = _fresh("tkt")
    ends = [_fail(desk, _fresh("o-many"), ticket, FIXED_NOW) for _ in range(3)]
    assert ends == [None, None, FIXED_NOW + LIMITS.lock]
    assert desk.begin_identification(_fresh("o-new"), ticket, LIMITS, FIXED_NOW) == FIXED_NOW + LIMITS.lock
    assert desk.begin_identification(_fresh("o-new"), _fresh("tkt"), LIMITS, FIXED_NOW) is None


def test_a_refused_attempt_counts_against_neither(desk: SqlCheckInDesk) -> None:
    """The identifier is locked: the follower's own count does not grow by the refused attempts."""
    ticket, follower = _fresh("tkt"), _fresh("o-refused")
    for _ in range(3):
        _fail(desk, _fresh("o-many"), ticket)
    for _ in range(10):
        assert desk.begin_identification(follower, ticket, LIMITS, FIXED_NOW) is not None
    assert [_fail(desk, follower, _fresh("tkt")) for _ in range(4)] == [None] * 4


def test_successes_are_given_back_and_only_failures_count(desk: SqlCheckInDesk) -> None:
    follower, ticket = _fresh("o-family"), _fresh("tkt")
    for _ in range(10):
        assert desk.begin_identification(follower, ticket, LIMITS, FIXED_NOW) is None
        assert desk.end_identification(follower, ticket, True, LIMITS, FIXED_NOW) is None
    assert [_fail(desk, follower, ticket) for _ in range(3)][-1] == FIXED_NOW + LIMITS.lock


def test_failures_older_than_the_window_are_forgotten(desk: SqlCheckInDesk) -> None:
    ticket = _fresh("tkt")
    assert [_fail(desk, _fresh("o"), ticket) for _ in range(2)] == [None, None]
    later = FIXED_NOW + LIMITS.window + timedelta(minutes=1)
    assert [_fail(desk, _fresh("o"), ticket, later) for _ in range(2)] == [None, None]


def test_attempts_under_way_count_so_concurrent_guesses_never_pass_a_limit(desk: SqlCheckInDesk, database_url: str) -> None:
    """Twelve followers guess the same e-ticket at the same moment: exactly three get to try (the identifier's
    limit); twelve guesses of one follower over twelve numbers: exactly five (the follower's)."""
    ticket, follower = _fresh("tkt"), _fresh("o-bot")
    start = threading.Barrier(12)

    def attempt(pair) -> bool:
        start.wait()
        return SqlCheckInDesk(database_url).begin_identification(pair[0], pair[1], LIMITS, FIXED_NOW) is None

    with ThreadPoolExecutor(max_workers=12) as pool:
        same_ticket = list(pool.map(attempt, [(_fresh("o-crowd"), ticket) for _ in range(12)]))
    assert same_ticket.count(True) == 3
    with ThreadPoolExecutor(max_workers=12) as pool:
        same_follower = list(pool.map(attempt, [(follower, _fresh("tkt")) for _ in range(12)]))
    assert same_follower.count(True) == 5


def test_the_table_keeps_no_identifier_or_openid_in_clear(desk: SqlCheckInDesk, database_url: str) -> None:
    follower, id_card = _fresh("o-private"), "440106198503120015"
    _fail(desk, follower, id_card)
    with create_engine(database_url).connect() as connection:
        keys = [row.key for row in connection.execute(text("select key from identification_attempts"))]
    assert keys and not any(id_card in key or follower in key for key in keys)
