"""A server whose database refuses writes answers 503 with Retry-After: the outbox keeps the
record, sends nothing before the time the server gave (whatever asks it to flush), says in the
volunteer's language that the server is busy and the record is kept, and then drains.

The refusal is the database's own (SQLite query_only; PostgreSQL default_transaction_read_only),
on both databases; Retry-After is shortened for the test.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import open_profile, outbox, outbox_counts, prepare_online, submit  # noqa: E402

from conftest import PASSWORD  # noqa: E402
from helpers import catalog_text  # noqa: E402

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")]

BUSY = "The server is busy. Your records are kept on this phone and sent later."
BUSY_ONE = "The server is busy. Your record is kept on this phone and sent later."
WAIT = 3  # seconds: the Retry-After the server gives in this test


class WritesRefused:
    """The database takes no writes (new connections are read-only) until lifted."""

    def __init__(self, app):
        self.engine = app.extensions["fieldapp.engine"]
        self.sqlite = self.engine.dialect.name == "sqlite"

    def _refuse(self, dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=1" if self.sqlite else "SET default_transaction_read_only = on")
        cursor.close()
        if not self.sqlite:
            dbapi_connection.commit()

    def __enter__(self):
        event.listen(self.engine, "connect", self._refuse)
        self.engine.dispose()
        return self

    def lift(self):
        event.remove(self.engine, "connect", self._refuse)
        self.engine.dispose()


def stored(db) -> int:
    from fieldapp.records.models import Record

    db.rollback()
    return db.scalar(select(func.count()).select_from(Record))


def test_outbox_waits_for_retry_after_then_drains_and_says_so_in_the_volunteers_language(
        server, profile_dir, pw, db, world, app, monkeypatch):
    from fieldapp import db as fieldapp_db

    for kind in fieldapp_db.RETRY_AFTER:
        monkeypatch.setitem(fieldapp_db.RETRY_AFTER, kind, WAIT)
    context = open_profile(pw, profile_dir)
    try:
        page = context.new_page()
        prepare_online(page, server, PASSWORD)
        page.click('a[data-locale="tr"]')
        page.wait_for_function("document.documentElement.lang === 'tr'")
        body = {"channel": "rally", "street_id": world.streets["Koningsweg"], "house_number": 10,
                "house_addition": "1", "occurred_at": "2026-11-21T10:00:00+01:00", "language": "tr",
                "outcome": "talked", "topics": ["energy_bill"]}
        refused = WritesRefused(app).__enter__()
        try:
            result = submit(page, body)
            refused_at = time.monotonic()
            assert result["status"] == "pending" and result["retry"] == "busy", result
            record_id = result["uuid"]
            assert server.sent[record_id] == 1
            # What the phone says, in Turkish: busy, and the record is kept.
            expected = catalog_text("tr", BUSY)
            assert expected != BUSY
            page.wait_for_function(
                "t => document.querySelector('#outbox-status .outbox-status__text').textContent.includes(t)",
                arg=expected)
            assert page.locator("#outbox-status .outbox-status__send").is_hidden()
            # A flush asked for now (the app reopened, the line came back) sends nothing yet.
            outbox(page, "outbox.flush()")
            assert server.sent[record_id] == 1
            assert outbox_counts(page)["pending"] == 1
            # The form's own word for one record, in Turkish too.
            assert page.evaluate(
                "async (m) => (await import('/static/js/i18n.js')).t(m)", BUSY_ONE) == catalog_text("tr", BUSY_ONE)
        finally:
            refused.lift()
        # Then, on its own timer, not before the server's time: sent, stored once.
        page.wait_for_function(
            "async (m) => { const o = await import(m); const c = await o.counts(); return c.pending + c.sending === 0; }",
            arg="/static/js/outbox.js", polling=100, timeout=30000)
        waited = time.monotonic() - refused_at
        assert waited >= WAIT * 0.95, waited
        assert server.sent[record_id] == 2
        assert stored(db) == 1
        page.wait_for_function(
            "t => !document.querySelector('#outbox-status .outbox-status__text').textContent.includes(t)",
            arg=expected)
    finally:
        context.close()


@pytest.fixture
def profile_dir(tmp_path):
    return tmp_path / "chromium-profile"
