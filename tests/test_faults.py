"""When the database is down, restarting, locked, full or read-only: an honest 503 with
Retry-After and a message in the request's language, nothing half-written, and service again
without restarting the app. On both databases.

SQLite's outages are real ones: another connection holding the file's lock beyond the (short)
busy timeout, a size limit reached (max_page_count: what a full volume does), query_only.
PostgreSQL's are real too, without touching the shared server: the app reaches it through a
TCP proxy that a test stops (the server gone) and starts again (the server back), and a
read-only database is `default_transaction_read_only`.
"""
from __future__ import annotations

import sqlite3
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from conftest import PASSWORD, csrf_from
from fault_support import TcpProxy
from helpers import catalog_text, rally

BUSY = "The server is busy right now. Nothing was lost; try again in a moment."
UNAVAILABLE_TITLE = "Temporarily unavailable"
# Every table a stored record writes to, in the same transaction.
WRITTEN = ("records", "referrals", "followups", "address_tallies", "street_week_tallies",
           "street_language_tallies", "installed_measures")


class Faulty:
    """An app whose database a test can take away and give back."""

    def __init__(self, app, down, up):
        self.app, self.down, self.up = app, down, up
        self.client = app.test_client()

    def token(self, username: str = "vol") -> str:
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def faulty(database_url, world, tmp_path, monkeypatch):
    from fieldapp import create_app

    monkeypatch.setenv("FIELDAPP_INSTANCE_PATH", str(tmp_path / "faulty-instance"))
    config = {"SECRET_KEY": "test-secret", "TESTING": True, "SQLITE_BUSY_TIMEOUT_MS": 200}
    if database_url.startswith("sqlite"):
        app = create_app({**config, "DATABASE_URL": database_url})
        holder = {}

        def down():
            # Another process holds the file: with locking_mode=EXCLUSIVE not even a reader gets
            # in. The app's idle pooled connections would keep it from taking the lock.
            app.extensions["fieldapp.engine"].dispose()
            lock = sqlite3.connect(_sqlite_path(database_url), isolation_level=None)
            lock.execute("PRAGMA locking_mode=EXCLUSIVE")
            lock.execute("BEGIN EXCLUSIVE")
            holder["lock"] = lock

        def up():
            holder.pop("lock").close()
    else:
        parts = urlsplit(database_url)
        proxy = TcpProxy(parts.hostname, parts.port or 5432).start()
        netloc = f"{parts.username}@127.0.0.1:{proxy.port}" if parts.username else f"127.0.0.1:{proxy.port}"
        app = create_app({**config, "DATABASE_URL": urlunsplit(parts._replace(netloc=netloc))})
        down, up = proxy.stop, proxy.start
    yield Faulty(app, down, up)
    app.extensions["fieldapp.engine"].dispose()
    if database_url.startswith("postgresql"):
        proxy.stop()


def _headers(token: str, language: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": language}


def _count(db, table: str) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(text(table)))


def test_database_down_is_a_503_with_retry_after_in_the_request_language_and_recovers(faulty, world, db):
    token = faulty.token()
    record_id = uuid.uuid4()
    body = rally(world.streets["Smitsplein"])
    faulty.down()
    try:
        for language in ("nl", "tr", "so"):
            answer = faulty.client.put(f"/api/v1/records/{record_id}", json=body, headers=_headers(token, language))
            assert answer.status_code == 503, answer.get_data(as_text=True)
            assert int(answer.headers["Retry-After"]) > 0
            assert answer.get_json()["message"] == catalog_text(language, BUSY)
            assert catalog_text(language, BUSY) != BUSY
            reading = faulty.client.get("/api/v1/records", headers=_headers(token, language))
            assert reading.status_code == 503 and reading.headers["Retry-After"]
        health = faulty.client.get("/healthz")
        assert health.status_code == 503 and int(health.headers["Retry-After"]) > 0
    finally:
        faulty.up()
    # The same app, not restarted: stored once, then every request served again.
    answer = faulty.client.put(f"/api/v1/records/{record_id}", json=body, headers=_headers(token, "nl"))
    assert answer.status_code == 201, answer.get_json()
    for _ in range(12):  # more requests than the pool held connections: none of them dead
        assert faulty.client.get("/api/v1/records", headers=_headers(token, "nl")).status_code == 200
    assert faulty.client.get("/healthz").status_code == 200
    assert _count(db, "records") == 1


def test_a_screen_says_so_in_the_users_language(faulty, world):
    page = faulty.client.get("/login?lang=tr")
    faulty.client.post("/login?lang=tr", data={"username": "vol", "password": PASSWORD,
                                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    faulty.down()
    try:
        answer = faulty.client.get("/field/?lang=tr")
    finally:
        faulty.up()
    html = answer.get_data(as_text=True)
    assert answer.status_code == 503 and answer.mimetype == "text/html" and int(answer.headers["Retry-After"]) > 0
    assert catalog_text("tr", UNAVAILABLE_TITLE) in html and '<html lang="tr"' in html
    assert faulty.client.get("/field/?lang=tr").status_code == 200


def test_sqlite_writer_locked_out_beyond_the_busy_timeout_gets_503_and_reads_go_on(faulty, world, database_url, db):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    token = faulty.token()
    writer = sqlite3.connect(_sqlite_path(database_url), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long write elsewhere (a backup, a migration, a bulk load)
    try:
        answer = faulty.client.put(f"/api/v1/records/{uuid.uuid4()}", json=rally(world.streets["Smitsplein"]),
                                   headers=_headers(token, "nl"))
        assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
        assert faulty.client.get("/api/v1/records", headers=_headers(token, "nl")).status_code == 200
    finally:
        writer.close()
    assert _count(db, "records") == 0


def test_postgresql_restart_breaks_no_request(faulty, world, database_url):
    """A restart while the app is idle: every pooled connection is dead, and none is handed out."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a server restart")
    token = faulty.token()
    for _ in range(5):  # several connections in the pool
        assert faulty.client.get("/api/v1/records", headers=_headers(token, "nl")).status_code == 200
    faulty.down()
    faulty.up()
    for _ in range(12):
        assert faulty.client.get("/api/v1/records", headers=_headers(token, "nl")).status_code == 200


def _fill_up(path: str) -> int:
    """The volume is full: the file may not grow past its pages, and those are filled up (free
    pages and the room left in pages would take a small write). Returns the page limit."""
    filler = sqlite3.connect(path, isolation_level=None)
    pages = filler.execute("PRAGMA page_count").fetchone()[0] + 2
    filler.execute(f"PRAGMA max_page_count={pages}")
    filler.execute("CREATE TABLE IF NOT EXISTS test_filler (blob BLOB)")
    for size in (2000, 200, 20, 1):
        try:
            while True:
                filler.execute("INSERT INTO test_filler VALUES (randomblob(?))", (size,))
        except sqlite3.OperationalError as full:
            assert "full" in str(full)
    filler.close()
    return pages


def _refuse_writes(app, database_url, how: str) -> None:
    engine = app.extensions["fieldapp.engine"]
    if database_url.startswith("sqlite"):
        engine.dispose()
        pages = _fill_up(_sqlite_path(database_url)) if how == "disk_full" else 0
        pragma = "PRAGMA query_only=1" if how == "read_only" else f"PRAGMA max_page_count={pages}"
    else:
        if how == "disk_full":
            pytest.skip("PostgreSQL's full disk is not made here; read-only is its refusal")
        pragma = "SET default_transaction_read_only = on"

    @event.listens_for(engine, "connect")
    def refuse(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(pragma)
        cursor.close()
        if not database_url.startswith("sqlite"):
            dbapi_connection.commit()

    engine.dispose()


@pytest.mark.parametrize("how", ["read_only", "disk_full"])
def test_a_refused_write_is_a_503_leaves_nothing_and_reads_go_on(app, login, world, db, database_url, how):
    api = login("vol", "nl")
    _refuse_writes(app, database_url, how)
    before = {table: _count(db, table) for table in WRITTEN}
    body = rally(world.streets["Koningsweg"], house_number=10, house_addition="2", channel="visit",
                 referrals=[{"code": "energy_coach", "consent": True}])
    records = [dict(body, id=str(uuid.uuid4())) for _ in range(40)]
    answers = [api.post("/api/v1/records/batch", json={"records": records})]
    # A full volume refuses what needs the file to grow; one small record may still fit in the
    # pages the file has (as it would on a real full disk), so only the batch must be refused.
    if how == "read_only":
        answers.append(api.put(f"/api/v1/records/{uuid.uuid4()}", json=body))
    for answer in answers:
        assert answer.status_code == 503, answer.get_data(as_text=True)
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.get_json()["message"] == catalog_text("nl", BUSY)
    assert {table: _count(db, table) for table in WRITTEN} == before
    assert api.get("/api/v1/records").status_code == 200
    assert api.get("/api/v1/dashboard/streets").status_code in (200, 403)


def test_a_write_failing_in_the_tally_step_leaves_no_record_referral_or_tally(app, login, world, db, database_url):
    from fieldapp import hooks
    from fieldapp.dashboard import tallies

    def disk_full():
        if database_url.startswith("sqlite"):
            return sqlite3.OperationalError("database or disk is full")
        import psycopg.errors

        return psycopg.errors.DiskFull("could not extend file: No space left on device")

    def count_then_fail(session, **facts):
        tallies.fold_in(session, **facts)  # the tallies are written, in the record's transaction …
        session.flush()
        raise OperationalError("INSERT INTO address_tallies …", {}, disk_full())  # … and then the disk is full

    api = login("vol", "tr")
    listeners = hooks._listeners[hooks.RECORDS_STORED]
    place = listeners.index(tallies.fold_in)
    before = {table: _count(db, table) for table in WRITTEN}
    body = rally(world.streets["Koningsweg"], house_number=10, house_addition="2", channel="klus", outcome="let_in",
                 measures=[{"code": "led_bulb", "quantity": 3}],
                 referrals=[{"code": "energy_coach", "consent": True}, {"code": "debt_help", "consent": True}])
    record_id = uuid.uuid4()
    listeners[place] = count_then_fail
    try:
        answer = api.put(f"/api/v1/records/{record_id}", json=body)
        batch = api.post("/api/v1/records/batch", json={"records": [dict(body, id=str(uuid.uuid4())),
                                                                   dict(body, id=str(uuid.uuid4()))]})
    finally:
        listeners[place] = tallies.fold_in
    for failed in (answer, batch):
        assert failed.status_code == 503 and failed.get_json()["message"] == catalog_text("tr", BUSY)
    assert {table: _count(db, table) for table in WRITTEN} == before
    # The same record once the disk has room: all of it goes in together.
    assert api.put(f"/api/v1/records/{record_id}", json=body).status_code == 201
    after = {table: _count(db, table) for table in WRITTEN}
    assert after["records"] == before["records"] + 1 and after["referrals"] == before["referrals"] + 2
    assert after["address_tallies"] > before["address_tallies"] or after["street_week_tallies"] > before["street_week_tallies"]


def test_a_bug_is_still_a_500_not_a_503():
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    from fieldapp.db import unavailable

    assert unavailable(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))) is None
    assert unavailable(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))) is None
    assert unavailable(ProgrammingError("SELECT", {}, Exception("syntax error"))) is None
    assert unavailable(OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))) == "busy"


def test_a_client_leaving_mid_export_leaves_no_transaction_open(app, login, world):
    """The record-level CSV streams; a client that goes away after the first chunk must not leave
    the export's read transaction (and its connection) behind."""
    from werkzeug.test import EnvironBuilder

    volunteer, admin = login("vol"), login("adm")
    records = [dict(rally(world.streets["Smitsplein"], notes=None), id=str(uuid.uuid4()),
                    occurred_at=f"2026-01-05T10:{n % 60:02d}:00+01:00") for n in range(450)]
    assert volunteer.post("/api/v1/records/batch", json={"records": records}).status_code == 200
    engine = app.extensions["fieldapp.engine"]
    environ = EnvironBuilder(path="/api/v1/exports/records.csv", headers=admin.headers).get_environ()
    body = app(environ, lambda status, headers, exc_info=None: None)
    first = next(iter(body))
    assert first.startswith(b"id,channel") and engine.pool.checkedout() == 1  # streaming, mid-export
    body.close()  # what gunicorn does when the client's connection is gone
    assert engine.pool.checkedout() == 0
