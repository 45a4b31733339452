"""Engines the project creates keep statement values out of error messages, and so out of logs (issue 12); the schema
is every table the SQL back ends declare."""
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


def test_the_schema_is_every_table_the_sql_back_ends_declare() -> None:
    """A table module left out of SCHEMA_MODULES would have its tables missing from a fresh database."""
    import importlib
    import pkgutil

    import bot.backends.sql
    from bot.backends.sql.database import schema_tables
    from bot.backends.sql.models import Base

    for module in pkgutil.iter_modules(bot.backends.sql.__path__):
        importlib.import_module(f"bot.backends.sql.{module.name}")
    names = {table.name for table in schema_tables()}
    assert names == set(Base.metadata.tables)
    assert {"customers", "outages", "follower_interactions", "outbound_deliveries"} <= names


def test_a_fresh_process_creates_the_whole_schema_from_the_database_module_alone(tmp_path: Path) -> None:
    """Nothing else needs importing first (no import made only for its side effect), and no import cycle."""
    import subprocess
    import sys

    from sqlalchemy import inspect

    from bot.backends.sql.database import schema_tables
    from bot.settings import PROJECT_ROOT

    url = f"sqlite:///{tmp_path}/fresh.db"
    subprocess.run([sys.executable, "-c", f"from bot.backends.sql.database import create_schema; create_schema({url!r})"],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    assert set(inspect(create_engine(url)).get_table_names()) == {table.name for table in schema_tables()}
