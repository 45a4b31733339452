"""The verification service on its own: SMS limits, wrong-code lockouts, keyed storage (issue 12), with a clock we move."""
import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta
from typing import Callable, List, Tuple, TypeVar

import pytest
from sqlalchemy import text

from bot.backends.sms import SmsGateway
from bot.backends.sql.database import engine_for
from bot.verification import (EXPIRED, LIMITED, LOCKED, NO_CODE, NUMBER_LOCKED, SENT, VERIFIED, WAIT, WRONG, Limits,
                              VerificationService)
from tests.conftest import FIXED_NOW

TEMPLATE = "code {code}, valid {minutes} min"
T = TypeVar("T")


class RecordingSms(SmsGateway):
    def __init__(self) -> None:
        self.sent: List[Tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        self.sent.append((mobile, text))

    def to(self, mobile: str) -> List[str]:
        return [text for number, text in self.sent if number == mobile]

    def code(self, mobile: str) -> str:
        return self.to(mobile)[-1].split()[1].rstrip(",")


class Clock:
    def __init__(self) -> None:
        self.moment = FIXED_NOW

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture()
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def service(database_url: str, sms: RecordingSms, clock: Clock) -> VerificationService:
    # a fresh secret gives this test its own keys, so the module's shared database holds no counts for it
    return VerificationService(database_url, sms, secrets.token_bytes(32), now=clock)


def follower() -> str:
    return f"o-{secrets.token_hex(5)}"


def wrong(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def test_a_number_gets_at_most_three_codes_an_hour_from_anyone(service: VerificationService, sms: RecordingSms,
                                                                clock: Clock) -> None:
    mobile = "13800138000"
    first = clock()
    outcomes = []
    for _ in range(4):
        outcomes.append(service.request_code(follower(), mobile, TEMPLATE))
        clock.advance(minutes=5)
    assert [o.outcome for o in outcomes] == [SENT, SENT, SENT, LIMITED]
    assert outcomes[-1].until == first + timedelta(hours=1) and len(sms.to(mobile)) == 3
    clock.moment = first + timedelta(hours=1)
    assert service.request_code(follower(), mobile, TEMPLATE).outcome == SENT


def test_a_number_gets_at_most_ten_codes_a_day(service: VerificationService, sms: RecordingSms, clock: Clock) -> None:
    mobile = "13800138000"
    first = clock()
    for hour in range(4):
        for _ in range(3 if hour < 3 else 1):
            assert service.request_code(follower(), mobile, TEMPLATE).outcome == SENT
        clock.advance(hours=1, minutes=1)
    refused = service.request_code(follower(), mobile, TEMPLATE)
    assert refused.outcome == LIMITED and refused.until == first + timedelta(days=1) and len(sms.to(mobile)) == 10


def test_one_follower_alternating_numbers_cannot_bomb_either(service: VerificationService, sms: RecordingSms) -> None:
    who = follower()
    outcomes = [service.request_code(who, mobile, TEMPLATE).outcome for mobile in ["13800138000", "13912345678"] * 5]
    assert outcomes[:6] == [SENT] * 6 and SENT not in outcomes[6:]
    assert len(sms.to("13800138000")) == 3 and len(sms.to("13912345678")) == 3


def test_a_follower_asks_at_most_ten_codes_a_day(service: VerificationService, sms: RecordingSms, clock: Clock) -> None:
    who = follower()
    first = clock()
    for index in range(10):
        assert service.request_code(who, f"1380013{index:04d}", TEMPLATE).outcome == SENT
        clock.advance(minutes=30)
    refused = service.request_code(who, "13912345678", TEMPLATE)
    assert refused.outcome == LIMITED and refused.until == first + timedelta(days=1) and len(sms.sent) == 10


def test_the_same_number_again_within_a_minute_waits(service: VerificationService, sms: RecordingSms, clock: Clock) -> None:
    who = follower()
    assert service.request_code(who, "13800138000", TEMPLATE).outcome == SENT
    clock.advance(seconds=20)
    again = service.request_code(who, "13800138000", TEMPLATE)
    assert again.outcome == WAIT and again.until == FIXED_NOW + timedelta(seconds=60) and len(sms.sent) == 1


def concurrently(calls: List[Callable[[], T]]) -> List[T]:
    """Run the calls in threads released together, as requests reaching several bot instances at once."""
    start = threading.Barrier(len(calls))
    results: List[T] = [None] * len(calls)  # type: ignore[list-item]

    def one(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_five_followers_asking_at_once_get_three_codes_sent(service: VerificationService, sms: RecordingSms) -> None:
    results = concurrently([lambda: service.request_code(follower(), "13800138000", TEMPLATE) for _ in range(5)])
    assert sorted(r.outcome for r in results) == [LIMITED, LIMITED, SENT, SENT, SENT]
    assert len(sms.to("13800138000")) == 3


def test_concurrent_wrong_codes_are_all_counted(database_url: str, sms: RecordingSms, clock: Clock) -> None:
    roomy = Limits(quotas=())   # eight codes for one number at once, to have eight guesses in flight
    service = VerificationService(database_url, sms, secrets.token_bytes(32), now=clock, limits=roomy)
    followers = [follower() for _ in range(8)]
    for who in followers:
        service.request_code(who, "13800138000", TEMPLATE)
    results = concurrently([lambda who=who: service.check(who, "13800138000", "000000") for who in followers])
    outcomes = [r.outcome for r in results]
    assert outcomes.count(WRONG) == 4 and outcomes.count(NUMBER_LOCKED) == 4   # the fifth wrong code locks the number


def test_the_right_code_verifies_once(service: VerificationService, sms: RecordingSms) -> None:
    who = follower()
    service.request_code(who, "13800138000", TEMPLATE)
    code = sms.code("13800138000")
    assert service.check(who, "13912345678", code).outcome == NO_CODE   # a code is for its number only
    assert service.check(who, "13800138000", code).outcome == VERIFIED
    assert service.check(who, "13800138000", code).outcome == NO_CODE


def test_a_code_expires_after_five_minutes(service: VerificationService, sms: RecordingSms, clock: Clock) -> None:
    who = follower()
    service.request_code(who, "13800138000", TEMPLATE)
    clock.advance(minutes=5, seconds=1)
    assert service.check(who, "13800138000", sms.code("13800138000")).outcome == EXPIRED


def test_a_new_code_does_not_reset_the_wrong_code_count(service: VerificationService, sms: RecordingSms,
                                                         clock: Clock) -> None:
    who, mobile = follower(), "13800138000"
    service.request_code(who, mobile, TEMPLATE)
    bad = wrong(sms.code(mobile))
    assert [service.check(who, mobile, bad).tries_left for _ in range(2)] == [2, 1]
    clock.advance(minutes=2)
    assert service.request_code(who, mobile, TEMPLATE).outcome == SENT
    locked = service.check(who, mobile, wrong(sms.code(mobile)))
    assert locked.outcome == LOCKED and locked.locked_until == clock() + timedelta(minutes=10)
    assert service.request_code(who, "13912345678", TEMPLATE).outcome == LOCKED   # no new code while locked


def test_after_a_lockout_the_follower_has_three_tries_again(service: VerificationService, sms: RecordingSms,
                                                            clock: Clock) -> None:
    who, mobile = follower(), "13800138000"
    service.request_code(who, mobile, TEMPLATE)
    for _ in range(3):
        service.check(who, mobile, wrong(sms.code(mobile)))
    assert service.check(who, mobile, sms.code(mobile)).outcome == LOCKED   # even the right code, while locked
    clock.advance(minutes=10)
    assert service.check(who, mobile, sms.code(mobile)).outcome == NO_CODE   # the lockout discarded the code
    other = "13912345678"   # (this number's own count is at 3 of 5, which would leave one try)
    assert service.request_code(who, other, TEMPLATE).outcome == SENT
    assert service.check(who, other, wrong(sms.code(other))).tries_left == 2


def test_five_wrong_codes_for_a_number_lock_it_for_everyone_for_an_hour(service: VerificationService, sms: RecordingSms,
                                                                        clock: Clock) -> None:
    mobile = "13800138000"
    first, second, third = follower(), follower(), follower()
    service.request_code(first, mobile, TEMPLATE)
    bad = wrong(sms.code(mobile))
    assert [service.check(first, mobile, bad).tries_left for _ in range(2)] == [2, 1]
    clock.advance(minutes=2)
    service.request_code(second, mobile, TEMPLATE)
    bad = wrong(sms.code(mobile))
    # the second follower's own count is 1 and 2, the number's 3 and 4: what is left is the smaller
    assert [service.check(second, mobile, bad).tries_left for _ in range(2)] == [2, 1]
    clock.advance(minutes=2)
    service.request_code(third, mobile, TEMPLATE)
    right = sms.code(mobile)
    locked = service.check(third, mobile, wrong(right))
    assert locked.outcome == NUMBER_LOCKED and locked.locked_until == clock() + timedelta(hours=1)
    assert service.check(third, mobile, right).outcome == NUMBER_LOCKED
    refused = service.request_code(follower(), mobile, TEMPLATE)
    assert refused.outcome == NUMBER_LOCKED and refused.until == locked.locked_until and len(sms.to(mobile)) == 3
    assert service.request_code(follower(), "13912345678", TEMPLATE).outcome == SENT   # other numbers are not locked
    clock.moment = locked.locked_until
    assert service.request_code(follower(), mobile, TEMPLATE).outcome == SENT


def test_a_number_that_is_not_a_customer_is_treated_alike_but_gets_no_sms(service: VerificationService,
                                                                          sms: RecordingSms, clock: Clock) -> None:
    who, mobile = follower(), "13000000000"
    assert service.request_code(who, mobile, TEMPLATE, deliver=False).outcome == SENT and sms.sent == []
    results = [service.check(who, mobile, code) for code in ("000000", "123456", "999999")]
    assert [r.outcome for r in results] == [WRONG, WRONG, LOCKED]   # no typed code matches, every one counts
    assert [service.request_code(follower(), mobile, TEMPLATE, deliver=False).outcome for _ in range(3)] == [SENT, SENT, LIMITED]
    assert sms.sent == []


def test_the_sms_is_the_template_with_the_code_and_minutes(service: VerificationService, sms: RecordingSms) -> None:
    service.request_code(follower(), "13800138000", "【X】{code}，{minutes}分钟")
    (text_sent,) = sms.to("13800138000")
    assert text_sent.startswith("【X】") and text_sent.endswith("，5分钟") and len(text_sent.split("】")[1].split("，")[0]) == 6
    with pytest.raises(ValueError):
        service.request_code(follower(), "13912345678", "no code here")


def stored_rows(database_url: str) -> str:
    with engine_for(database_url).connect() as connection:
        return repr([list(connection.execute(text(f"SELECT * FROM {table}")))
                     for table in ("binding_codes", "binding_guards", "binding_events")])


def test_codes_are_stored_as_keyed_hashes_and_no_number_or_openid_in_clear(database_url: str, sms: RecordingSms) -> None:
    secret = secrets.token_bytes(32)
    service = VerificationService(database_url, sms, secret, now=Clock())
    who, mobile = follower(), "15012340006"
    service.request_code(who, mobile, TEMPLATE)
    code = sms.code(mobile)
    rows = stored_rows(database_url)
    assert mobile not in rows and who not in rows
    assert hashlib.sha256(f"{who}:{code}".encode()).hexdigest() not in rows   # the old, reversible form
    with engine_for(database_url).connect() as connection:
        stored = {row.code_hash for row in connection.execute(text("SELECT code_hash FROM binding_codes"))}
    follower_key = "f:" + hmac.new(secret, f"follower\x1f{who}".encode(), hashlib.sha256).hexdigest()
    number_key = "n:" + hmac.new(secret, f"number\x1f{mobile}".encode(), hashlib.sha256).hexdigest()
    expected = hmac.new(secret, "\x1f".join(["code", follower_key, number_key, code]).encode(), hashlib.sha256).hexdigest()
    assert expected in stored
    other = VerificationService(database_url, sms, secrets.token_bytes(32), now=Clock())
    assert other.check(who, mobile, code).outcome == NO_CODE   # without the secret the row is not even found
