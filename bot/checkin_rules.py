"""Check-in windows, seat choice, the text seat map and the identification limits (rules in data/checkin.yml)."""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence

import yaml

from bot.backends.checkin import AttemptLimits
from bot.backends.crm import Flight, FlightBooking, Seat
from bot.settings import PROJECT_ROOT

CHECKIN_FILE = PROJECT_ROOT / "data" / "checkin.yml"
OPEN, NOT_YET, CLOSED = "open", "not_yet", "closed"
_SPECIFIC = re.compile(r"(?<![0-9A-Za-z])(\d{1,2})\s*([A-La-l])(?![A-Za-z])")


@dataclass(frozen=True)
class CheckInRules:
    opens_before: timedelta
    closes_before: timedelta
    boarding_before: timedelta
    front_rows: int
    exit_row_conditions: str
    identification: AttemptLimits

    def window_state(self, flight: Flight, now: datetime) -> str:
        if now < flight.departure - self.opens_before:
            return NOT_YET
        if now > flight.departure - self.closes_before:
            return CLOSED
        return OPEN

    def opens_at(self, flight: Flight) -> datetime:
        return flight.departure - self.opens_before

    def closes_at(self, flight: Flight) -> datetime:
        return flight.departure - self.closes_before


@lru_cache(maxsize=None)
def load_checkin_rules(path: Path = CHECKIN_FILE) -> CheckInRules:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return CheckInRules(
        timedelta(hours=raw["window"]["opens_hours_before"]), timedelta(minutes=raw["window"]["closes_minutes_before"]),
        timedelta(minutes=raw["boarding_minutes_before"]), int(raw["front_rows"]), raw["exit_row_conditions"],
        AttemptLimits(int(raw["identification"]["failures_per_follower"]), int(raw["identification"]["failures_per_identifier"]),
                      timedelta(minutes=raw["identification"]["window_minutes"]), timedelta(minutes=raw["identification"]["lock_minutes"])),
    )


SEAT_KINDS = ("window", "aisle", "front", "random")   # values of the seat_preference entity (synonyms in NLU data)


@dataclass(frozen=True)
class SeatRequest:
    kind: str                  # "specific", or one of SEAT_KINDS
    seat_no: Optional[str] = None
    row: Optional[int] = None  # a wished row ("第35排靠窗"), for any kind but "specific"


def seat_request_from(seat_no: Optional[object], preference: Optional[object], row: Optional[object]) -> Optional[SeatRequest]:
    """The wish NLU found (seat_number, seat_preference, seat_row entities); None when the message held none."""
    specific = _SPECIFIC.search(str(seat_no or ""))
    if specific:
        return SeatRequest("specific", f"{int(specific.group(1))}{specific.group(2).upper()}")
    wanted_row = int(str(row)) if row is not None and str(row).isdigit() else None
    kind = str(preference) if preference in SEAT_KINDS else None
    if kind is None and wanted_row is None:
        return None
    return SeatRequest(kind or "random", row=wanted_row)


def pick_seat(seats: Sequence[Seat], request: SeatRequest, rules: CheckInRules, seed: str) -> Optional[Seat]:
    """The best free seat for a preference: the front-most matching non-exit seat (random: a stable random one);
    with a wished row, the matching seat nearest to that row."""
    free = [s for s in seats if s.is_free and not s.is_exit_row]
    first_row = min((s.row for s in seats), default=0)
    matching = {
        "window": [s for s in free if s.is_window],
        "aisle": [s for s in free if s.is_aisle],
        "front": [s for s in free if s.row < first_row + rules.front_rows],
        "random": free,
    }[request.kind]
    if not matching:
        return None
    if request.row is not None:
        return sorted(matching, key=lambda s: (abs(s.row - request.row), s.row, s.seat_no))[0]  # type: ignore[operator]
    if request.kind == "random":
        return random.Random(seed).choice(matching)
    return sorted(matching, key=lambda s: (s.row, s.seat_no))[0]


def nearby_free_seats(seats: Sequence[Seat], around: str, count: int = 3) -> List[str]:
    target = next((s for s in seats if s.seat_no == around), None)
    row = target.row if target else 0
    free = [s for s in seats if s.is_free and s.seat_no != around and not s.is_exit_row]
    return [s.seat_no for s in sorted(free, key=lambda s: (abs(s.row - row), s.seat_no))[:count]]


def seat_map(seats: Sequence[Seat], around_row: int, rows: int = 2, mark: Optional[str] = None, exit_mark: str = "") -> str:
    """A compact text map: □ free, ■ taken, ★ the proposed seat; `exit_mark` (domain wording) after exit rows."""
    letters = sorted({s.letter for s in seats})
    by_row = {}
    for seat in seats:
        by_row.setdefault(seat.row, {})[seat.letter] = seat
    shown = [r for r in sorted(by_row) if abs(r - around_row) <= rows]
    lines = ["    " + " ".join(letters)]
    for row in shown:
        cells = []
        for letter in letters:
            seat = by_row[row].get(letter)
            cells.append("★" if seat and seat.seat_no == mark else "□" if seat and seat.is_free else "■")
        after = f" {exit_mark}" if exit_mark and any(s.is_exit_row for s in by_row[row].values()) else ""
        lines.append(f"{row:>3} " + " ".join(cells) + after)
    return "\n".join(lines)


def boarding_pass_code(booking: FlightBooking) -> str:
    digest = hashlib.sha256(f"{booking.ticket_number}|{booking.flight.flight_no}|{booking.seat_no}|{booking.checked_in_at}".encode())
    return "BP" + digest.hexdigest()[:10].upper()
