"""Engine, session-per-request, the declarative base, and how each database is written to.

SQLite is tuned for several gunicorn workers writing at once: WAL, a busy timeout, and
BEGIN IMMEDIATE for transactions that write, so a writer waits for the lock up front instead
of failing with "database is locked" when it upgrades a read transaction.

Where SQLite and PostgreSQL want a write in different shapes, the difference lives in one
place: `writes(session)` gives the database's strategy (insert rows or skip the stored ones,
upsert, "one of these values", several statements at once), and no other module asks which
database it is on to write.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from functools import cache
from operator import itemgetter
from typing import Callable, Iterator

from flask import Flask, current_app, g
from datetime import datetime, timezone

from sqlalchemy import (
    JSON, DateTime, MetaData, Text, any_, bindparam, cast, create_engine, event, func, select, text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .timeutil import amsterdam_day_of_stored
from .workdays import ordinal_or_none

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


def make_engine(url: str, sqlite_busy_ms: int = 30000) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": sqlite_busy_ms / 1000})
        _tune_sqlite(engine, sqlite_busy_ms)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # pool_pre_ping: a pooled connection broken by a restart of the server is found out and
    # replaced at check-out, before a request uses it. When a request does meet a dead
    # connection (the server went away mid-request), SQLAlchemy invalidates the pool's older
    # connections too, so no later request meets the same dead one (see unavailable()).
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    _tune_postgresql(engine)
    return engine


def _tune_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Lists are only sent as the column arrays of PostgreSQLWrites. psycopg's default for
        # them is the text format, which quotes every element in Python; the binary format does
        # not (docs/performance.md).
        from psycopg.types.array import ListBinaryDumper

        dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


# FULL: a commit answered to a phone survives a power cut. The test suite's throwaway databases
# use OFF (tests/conftest.py): a commit then waits for no disk, and nothing else differs.
SQLITE_SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_synchronous() -> str:
    level = os.environ.get("FIELDAPP_SQLITE_SYNCHRONOUS", "FULL").upper()
    if level not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ValueError(f"FIELDAPP_SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_LEVELS)}, "
                         f"not {level!r}")
    return level


def _tune_sqlite(engine: Engine, busy_ms: int = 30000) -> None:
    synchronous = sqlite_synchronous()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()
        dbapi_connection.create_function("fieldapp_amsterdam_day", 1, amsterdam_day_of_stored, deterministic=True)
        dbapi_connection.create_function("fieldapp_workday_ordinal", 1, ordinal_or_none, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = conn.get_execution_options().get(IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def no_jit(session: Session, sort_memory: str | None = None) -> None:
    """For a large read on PostgreSQL, this transaction only: no JIT, which compiles the
    dashboard's wide aggregates and window passes for longer than they take to run
    (docs/performance.md), and, when given, the memory a sort of every row needs to stay off
    the disk (such as "32MB"). Nothing on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        if sort_memory is not None:
            # SET takes no parameters; set_config(..., true) is SET LOCAL.
            session.execute(text("SELECT set_config('work_mem', :memory, true)"), {"memory": sort_memory})


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config.get("SQLITE_BUSY_TIMEOUT_MS", 30000))
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




@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that writes: takes SQLite's write lock at BEGIN, commits or rolls back."""
    writes(session).prepare_to_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class Writes:
    """How rows reach one kind of database. Statements are built once per shape: building them
    costs more than running them for a few rows.

    insert_rows(session, table, rows, skip_existing=key, returning=names, computed=...)
        rows held in Python (dicts with the same keys). With skip_existing, a row whose key is
        stored already is left out (insert-or-nothing: concurrent identical requests never make
        two rows). computed: (name, function) pairs, each column found in SQL from the sent
        ones (function(columns) with columns[name] a sent column). Returns the `returning`
        columns of the rows this call inserted.
    upsert(table, key, merge, rows, columns)
        insert what the select `rows` gives for `columns`, merging into the row already there
        for the same key: merge(excluded) gives the SET clause.
    one_of(column, name)
        `column` is one of the values of the list parameter `name`.
    execute_together(session, statements, params)
        independent statements sharing their parameters.
    """

    dialect = None  # the module whose insert() offers ON CONFLICT

    def prepare_to_write(self, session: Session) -> None:
        raise NotImplementedError

    def insert_rows(self, session: Session, table, rows: list[dict], skip_existing: tuple[str, ...] = (),
                    returning: tuple[str, ...] = (), computed: tuple[tuple[str, Callable], ...] = ()) -> list:
        raise NotImplementedError

    def one_of(self, column, name: str):
        raise NotImplementedError

    def execute_together(self, session: Session, statements: tuple, params: dict) -> None:
        raise NotImplementedError

    def upsert(self, table, key: tuple[str, ...], merge: Callable, rows, columns: list[str]):
        insert = self.dialect.insert(table).from_select(columns, rows)
        return insert.on_conflict_do_update(index_elements=[table.c[name] for name in key],
                                            set_=merge(insert.excluded))


@cache
def _values_insert(dialect, table, names: tuple, skip_existing: tuple, computed: tuple, returning: tuple):
    """INSERT ... VALUES of one row's parameters, named as the columns; run as an executemany
    for many rows (SQLite) or once for one row (PostgreSQL)."""
    columns = {name: bindparam(name, type_=table.c[name].type) for name in names}
    insert = dialect.insert(table).values({**columns, **{name: find(columns) for name, find in computed}})
    if skip_existing:
        insert = insert.on_conflict_do_nothing(index_elements=list(skip_existing))
    return insert.returning(*[table.c[name] for name in returning]) if returning else insert


class SQLiteWrites(Writes):
    dialect = sqlite

    def prepare_to_write(self, session: Session) -> None:
        # SQLite can only take its write lock at BEGIN: a transaction that has read already is
        # committed first.
        if session.in_transaction():
            session.commit()
        session.connection(execution_options={IMMEDIATE: True})

    def insert_rows(self, session, table, rows, skip_existing=(), returning=(), computed=()):
        names = tuple(rows[0])
        plain = _values_insert(sqlite, table, names, skip_existing, computed, ())
        sent = set(returning) <= set(names)  # the answer is in the rows themselves
        if sent and not skip_existing:
            session.connection().execute(plain, rows)
            return [tuple(row[name] for name in returning) for row in rows] if returning else []
        if sent and len(rows) > 1:
            # RETURNING turns an executemany into multi-row inserts, which cost more. When the
            # row count says every row went in, the rows sent are the answer; otherwise (a key
            # stored already, or meanwhile) the insert is undone and done again with RETURNING.
            savepoint = session.begin_nested()
            # Asked for after begin_nested: that is when the SAVEPOINT is emitted.
            result = session.connection().execution_options(preserve_rowcount=True).execute(plain, rows)
            if result.rowcount == len(rows):
                savepoint.commit()
                return [tuple(row[name] for name in returning) for row in rows]
            savepoint.rollback()
        statement = _values_insert(sqlite, table, names, skip_existing, computed, returning)
        result = session.connection().execute(statement, rows)
        return result.all() if returning else []

    def one_of(self, column, name):
        return column.in_(bindparam(name, expanding=True))

    def execute_together(self, session, statements, params):
        connection = session.connection()
        for statement in statements:
            connection.execute(statement, params)


@cache
def _unnest_insert(table, names: tuple, skip_existing: tuple, computed: tuple, returning: tuple):
    """PostgreSQL: many rows as one INSERT ... SELECT of unnest() over one array parameter per
    column, instead of an executemany, which costs PostgreSQL a parse, bind and execute per row.
    unnest() keeps the arrays' order, and computed columns are scalar subqueries, not joins, so
    the rows go in (and lock) in the order sent. JSON values travel as text (an array of lists
    would be read as a multidimensional array)."""
    unnested = []
    for name in names:
        column = table.c[name]
        is_json = isinstance(column.type, JSON)
        value = func.unnest(bindparam(name, type_=ARRAY(Text if is_json else column.type)))
        unnested.append((cast(value, column.type) if is_json else value).label(name))
    sent = select(*unnested).subquery("sent")
    rows = select(*sent.c, *[find(sent.c).label(name) for name, find in computed])
    insert = postgresql.insert(table).from_select([*names, *(name for name, _find in computed)], rows)
    if skip_existing:
        insert = insert.on_conflict_do_nothing(index_elements=list(skip_existing))
    return insert.returning(*[table.c[name] for name in returning]) if returning else insert


class PostgreSQLWrites(Writes):
    dialect = postgresql

    def prepare_to_write(self, session: Session) -> None:
        # PostgreSQL locks per row: the reading transaction simply goes on writing, which saves
        # a commit, a pool check-out with its ping, and a BEGIN on every write.
        pass

    def insert_rows(self, session, table, rows, skip_existing=(), returning=(), computed=()):
        names = tuple(rows[0])
        if skip_existing:
            # In key order, so that two transactions sharing keys wait for each other in one order.
            rows = sorted(rows, key=itemgetter(*skip_existing))
        if len(rows) == 1:
            # For one row (a PUT), plain values: dumping arrays and planning unnest() cost more
            # than they save.
            statement, params = _values_insert(postgresql, table, names, skip_existing, computed, returning), rows[0]
        else:
            statement = _unnest_insert(table, names, skip_existing, computed, returning)
            params = {name: [row[name] for row in rows] for name in names}
            for name in names:
                if isinstance(table.c[name].type, JSON):
                    params[name] = [json.dumps(value) for value in params[name]]
        result = session.connection().execute(statement, params)
        return result.all() if returning else []

    def one_of(self, column, name):
        # One array parameter: the statement's text does not change with the number of values.
        return column == any_(bindparam(name, type_=ARRAY(column.type)))

    def execute_together(self, session, statements, params):
        session.connection().execute(_together(statements), params)


@cache
def _together(statements: tuple):
    """One statement running the others as data-modifying WITH clauses: one round trip."""
    *first, last = statements
    return last.add_cte(*(statement.cte(f"together_{n}") for n, statement in enumerate(first)))


_WRITES = {"sqlite": SQLiteWrites(), "postgresql": PostgreSQLWrites()}


def writes(session: Session) -> Writes:
    """The write strategy of this session's database."""
    return _WRITES[session.get_bind().dialect.name]


# ---- when the database is not there ---------------------------------------------------------
# What a database fault means for the request, decided in one place: the error handlers
# (fieldapp/api.py) answer 503 with Retry-After for these, and a 500 stays a bug.

# SQLite's primary result codes (the low byte of sqlite_errorcode): busy or locked beyond the
# busy timeout, a disk I/O error, read-only, full, cannot open, locking protocol.
_SQLITE_UNAVAILABLE = {5: "busy", 6: "busy", 10: "disk", 8: "read_only", 13: "disk", 14: "unreachable", 15: "busy"}
_SQLITE_WORDS = (("database is locked", "busy"), ("database table is locked", "busy"),
                 ("disk i/o error", "disk"), ("readonly", "read_only"), ("read-only", "read_only"),
                 ("database or disk is full", "disk"), ("unable to open database file", "unreachable"))
# PostgreSQL SQLSTATEs: read-only transaction; admin / crash shutdown, cannot connect now;
# serialization failure and deadlock (retrying is the answer); class 08 (connection), 53
# (insufficient resources: disk full, out of memory, too many connections), 58 (system / I/O).
_PG_STATES = {"25006": "read_only", "57P01": "unreachable", "57P02": "unreachable", "57P03": "unreachable",
              "40001": "busy", "40P01": "busy"}
_PG_CLASSES = {"08": "unreachable", "53": "disk", "58": "disk"}
# Seconds a client should wait, per kind: a restart or a lock passes in seconds; a full disk or
# a read-only database needs a person.
RETRY_AFTER = {"unreachable": 5, "busy": 5, "read_only": 60, "disk": 60}


def unavailable(error: BaseException) -> str | None:
    """The kind of outage `error` reports ("unreachable", "busy", "read_only", "disk"), or None
    when it is no outage (a bug, a constraint: those stay errors). An error raised while
    handling an outage counts as that outage: SQLite rolls the whole transaction back when the
    disk is full, so the ROLLBACK TO SAVEPOINT that follows fails with "no such savepoint"."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = _outage(error)
        if kind:
            return kind
        error = error.__cause__ or error.__context__
    return None


def _outage(error: BaseException) -> str | None:
    from sqlalchemy import exc

    if isinstance(error, (exc.TimeoutError, exc.DisconnectionError)):
        return "busy" if isinstance(error, exc.TimeoutError) else "unreachable"
    if not isinstance(error, exc.DBAPIError):
        return None
    if error.connection_invalidated:
        return "unreachable"
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_UNAVAILABLE.get(code & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if state:
        return _PG_STATES.get(state) or _PG_CLASSES.get(state[:2])
    text_ = str(orig).lower()
    for words, kind in _SQLITE_WORDS:
        if words in text_:
            return kind
    # psycopg: no SQLSTATE means no server answered (refused, reset, closed mid-query).
    if isinstance(error, exc.OperationalError) and type(orig).__module__.startswith("psycopg"):
        return "unreachable"
    return None


def discard_session() -> None:
    """After a database fault: end the request's session's transaction (a next use in this
    request begins a new one). Closing returns its connection, rolled back, to the pool; a dead
    one is invalidated there and replaced. Objects already loaded keep their values (no expiry),
    so the answer can still be in the signed-in user's language."""
    session = g.get("db_session")
    if session is not None:
        session.close()
