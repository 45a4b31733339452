"""Operator accounts: created from the command line, passwords hashed with Werkzeug's scrypt (a vetted library)."""
from __future__ import annotations

import re
import time
from typing import Optional

from sqlalchemy import delete, insert, select
from werkzeug.security import check_password_hash, generate_password_hash

from bot.console import tables as t

ROLES = ("manager", "reviewer")        # manager: reports; reviewer: reports and transcripts
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
# Compared against when the account does not exist, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone", method="scrypt")


class AccountError(ValueError):
    """A name, role or password the console does not accept."""


class Accounts:
    def __init__(self, console_url: str) -> None:
        self.engine = t.console_engine(console_url)

    def add(self, name: str, role: str, password: str) -> None:
        """Create the operator, or replace their role and password."""
        if not _NAME.match(name):
            raise AccountError("names are 2–64 letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"passwords have at least {MIN_PASSWORD} characters")
        with self.engine.begin() as conn:
            conn.execute(delete(t.operators).where(t.operators.c.name == name))
            conn.execute(insert(t.operators).values(name=name, role=role, created_at=time.time(),
                                                    password_hash=generate_password_hash(password, method="scrypt")))

    def verify(self, name: str, password: str) -> Optional[str]:
        """The operator's role when the password is right, else None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.operators.c.password_hash, t.operators.c.role).where(t.operators.c.name == name)).first()
        if row is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return row.role if check_password_hash(row.password_hash, password) else None

    def role(self, name: str) -> Optional[str]:
        with self.engine.connect() as conn:
            return conn.execute(select(t.operators.c.role).where(t.operators.c.name == name)).scalar()
