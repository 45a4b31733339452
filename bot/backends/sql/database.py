"""Engine and session factory shared by the SQL stubs (one engine per database URL per process)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Dict, List

from sqlalchemy import Table, create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.backends.sql import models, outbound_tables
from bot.backends.sql.models import Base

# The modules whose tables make up the back ends' schema (all declared on models.Base, so foreign keys and the
# order of creation span them). A new table module is added here, or `create_schema` does not create its tables.
SCHEMA_MODULES = (models, outbound_tables)

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def engine_for(url: str) -> Engine:
    """Create (once) the engine for `url`; SQLite files get their folder, foreign keys and a busy timeout."""
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: error messages (and so logs) never carry a statement's values (numbers, hashes)
            engine = create_engine(url, future=True, hide_parameters=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _enable_sqlite_foreign_keys)
            _engines[url] = engine
        return _engines[url]


def session_factory(url: str) -> sessionmaker:
    return sessionmaker(engine_for(url), future=True, expire_on_commit=False)


# Nullable columns added after the first release: an existing database gets them on its next `seed`.
ADDED_COLUMNS = (("restore_notices", "requested_at"),)


def schema_tables() -> List[Table]:
    """The tables `create_schema` creates and `drop_schema` drops: those the SCHEMA_MODULES declare, named rather
    than "whatever some import happened to register on Base", so the schema does not depend on import order."""
    names = {module.__name__ for module in SCHEMA_MODULES}
    tables = (mapper.local_table for mapper in Base.registry.mappers if mapper.class_.__module__ in names)
    return list(dict.fromkeys(tables))


def create_schema(url: str) -> None:
    engine = engine_for(url)
    Base.metadata.create_all(engine, tables=schema_tables())
    existing = inspect(engine)
    for table, name in ADDED_COLUMNS:
        if name not in {column["name"] for column in existing.get_columns(table)}:
            column = Base.metadata.tables[table].c[name]
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {column.type.compile(engine.dialect)}"))


def drop_schema(url: str) -> None:
    Base.metadata.drop_all(engine_for(url), tables=schema_tables())
