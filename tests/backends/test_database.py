"""Engines the project creates keep statement values out of error messages, and so out of logs (issue 12)."""
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from bot.backends.sql.database import engine_for

MOBILE, CODE_HASH = "13800138000", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def failing_insert_message(engine) -> str:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS codes (mobile TEXT PRIMARY KEY, code_hash TEXT)"))
        connection.execute(text("INSERT OR IGNORE INTO codes VALUES ('x', 'y')"))
    with pytest.raises(IntegrityError) as failure, engine.begin() as connection:
        for _ in range(2):   # the second insert of the same number breaks the primary key
            connection.execute(text("INSERT INTO codes VALUES (:mobile, :code_hash)"), {"mobile": MOBILE, "code_hash": CODE_HASH})
    return str(failure.value)


def test_a_failing_statement_names_no_parameter(tmp_path: Path) -> None:
    message = failing_insert_message(engine_for(f"sqlite:///{tmp_path}/hidden.db"))
    assert "INSERT INTO codes" in message and "parameters hidden" in message
    assert MOBILE not in message and CODE_HASH not in message


def test_without_hiding_the_same_failure_would_log_the_number(tmp_path: Path) -> None:
    """The check above can fail: a plain engine puts the values into the message."""
    message = failing_insert_message(create_engine(f"sqlite:///{tmp_path}/plain.db", future=True))
    assert MOBILE in message and CODE_HASH in message
