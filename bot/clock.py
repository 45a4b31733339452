"""The actions' "now" (server local time) in one place, so tests can pin it to the demo data's seeding time.

The demo flights, tickets and visits are seeded relative to a moment; an action that compared them with the
real clock would give different answers on a different day of testing.
"""
from datetime import datetime


def now() -> datetime:
    return datetime.now()
