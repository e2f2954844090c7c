"""Engine, session-per-request and the declarative base.

SQLite is tuned for several gunicorn workers writing at once: WAL, a busy timeout, and
BEGIN IMMEDIATE for transactions that write, so a writer waits for the lock up front instead
of failing with "database is locked" when it upgrades a read transaction.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, MetaData, Text, bindparam, cast, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IMMEDIATE = "fieldapp_begin_immediate"


class UtcDateTime(TypeDecorator):
    """Stored in UTC, always handed back aware: SQLite keeps no offset, PostgreSQL does."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    _tune_postgresql(engine)
    return engine


def _tune_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Lists are only sent as the arrays of unnest_rows. psycopg's default for them is the
        # text format, which quotes every element in Python (8 µs a JSON text, 5 µs a timestamp);
        # the binary format costs under 1 µs an element (bench/ingest.py, about 35 µs a record).
        from psycopg.types.array import ListBinaryDumper

        dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = conn.get_execution_options().get(IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "sqlite"


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["fieldapp.engine"] = engine
    app.extensions["fieldapp.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_engine() -> Engine:
    return current_app.extensions["fieldapp.engine"]


def get_session() -> Session:
    """The request's session; opened on first use, closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["fieldapp.sessionmaker"]()
    return g.db_session


def conflict_dialect(session: Session):
    """The dialect module whose insert() offers ON CONFLICT for this session's database
    (postgresql or sqlite): insert-or-nothing and upserts are spelled through it."""
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that writes: takes SQLite's write lock at BEGIN, commits or rolls back.

    SQLite can only take its write lock at BEGIN, so a transaction that has read already is
    committed first. PostgreSQL locks per row: the reading transaction simply goes on writing,
    which saves a commit, a pool check-out with its ping, and a BEGIN on every write.
    """
    if session.get_bind().dialect.name != "postgresql":
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def unnest_rows(table, names: list[str], prefix: str = ""):
    """PostgreSQL: a select of many rows of `table` sent as one array parameter per column
    (`prefix` + column name), zipped back into rows by unnest(). One statement instead of an
    executemany, which costs PostgreSQL a parse, bind and execute per row. JSON values travel
    as text (an array of lists would be read as a multidimensional array)."""
    columns = []
    for name in names:
        column = table.c[name]
        is_json = isinstance(column.type, JSON)
        value = func.unnest(bindparam(prefix + name, type_=ARRAY(Text if is_json else column.type)))
        columns.append((cast(value, column.type) if is_json else value).label(name))
    return select(*columns)


def row_arrays(table, names: list[str], rows: list[dict], prefix: str = "") -> dict:
    """The parameters of unnest_rows for these rows."""
    arrays = {}
    for name in names:
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON):
            values = [json.dumps(value) for value in values]
        arrays[prefix + name] = values
    return arrays


def value_binds(table, names: list[str], prefix: str = "") -> dict:
    """PostgreSQL: the single-row sibling of unnest_rows, for insert().values(): one parameter per
    column (`prefix` + column name). For one row (a PUT), unnest() costs more than it saves:
    dumping the arrays and planning the select took 450-550 µs of CPU against 200 µs for plain
    values (measured in-process, 400 single-record inserts)."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


def row_values(names: list[str], row: dict, prefix: str = "") -> dict:
    """The parameters of value_binds for this row."""
    return {prefix + name: row[name] for name in names}
