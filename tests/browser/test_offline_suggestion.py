"""A suggestion typed offline arrives once (issue 18): suggest mode in a real Chromium with a real
service worker, the server stopped and started again; a lost acknowledgement is retried and the
suggestion stored once; the catalogs the worker keeps refresh without touching the outbox."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import (  # noqa: E402
    open_field, open_profile, outbox, outbox_entries, prepare_online, retry_now,
)

from conftest import PASSWORD  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]


def _stored(db):
    from fieldapp.translations_review.models import Suggestion

    db.rollback()  # a fresh snapshot: the server thread wrote since the last look
    return {str(s.id): s for s in db.scalars(select(Suggestion))}


def _speaks_tigrinya(db, world):
    from fieldapp.accounts.models import User

    db.get(User, world.users["coach"]).spoken_languages = ["ti"]
    db.commit()


def test_a_suggestion_typed_offline_arrives_once(server, profile, pw, db, world):
    _speaks_tigrinya(db, world)
    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD, username="coach")
    open_field(page, server, "/field/?lang=ti")
    page.wait_for_selector("#suggest-toggle")
    server.stop()  # no signal from here on

    open_field(page, server, "/field/?lang=ti")  # from the worker's cache, the toggle remembered
    page.wait_for_selector("#suggest-toggle")
    page.click("#suggest-toggle")
    page.click("#new-heading")
    page.wait_for_selector("#suggest-sheet[open]")
    page.fill("#suggest-wording", "ሓድሽ ጸብጻብ")
    page.click("#suggest-send")
    page.wait_for_selector("#suggest-status[data-result=pending]")
    [entry] = [e for e in outbox_entries(page) if e["kind"] == "suggestion"]
    assert entry["status"] == "pending"
    assert entry["payload"] == {"locale": "ti", "msgid": "New record", "forms": ["ሓድሽ ጸብጻብ"]}
    page.reload()  # still offline: kept on the phone
    open_field(page, server, "/field/?lang=ti")
    assert [e["status"] for e in outbox_entries(page) if e["kind"] == "suggestion"] == ["pending"]
    assert _stored(db) == {}

    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    [entry] = [e for e in outbox_entries(page) if e["kind"] == "suggestion"]
    assert entry["status"] == "sent" and entry["http_status"] == 201
    stored = _stored(db)
    assert list(stored) == [entry["uuid"]] and stored[entry["uuid"]].forms == ["ሓድሽ ጸብጻብ"]
    assert server.puts[entry["uuid"]] == 1
    # A double tap on the same body changes nothing, on the phone or on the server.
    again = outbox(page, "outbox.submitSuggestion(arg.uuid, arg.body)",
                   {"uuid": entry["uuid"], "body": entry["payload"]})
    assert again["status"] == "sent" and server.puts[entry["uuid"]] == 1

    # The server stores it, the answer is lost: the outbox sends it again, it is stored once.
    lost = outbox(page, "outbox.newUuid()")
    server.cut_once.add(lost)
    body = {"locale": "ti", "msgid": "Street", "forms": ["ጎደና"]}
    result = outbox(page, "outbox.submitSuggestion(arg.uuid, arg.body)", {"uuid": lost, "body": body})
    assert result["status"] == "pending" and lost in _stored(db)
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    [entry] = [e for e in outbox_entries(page) if e["uuid"] == lost]
    assert entry["status"] == "sent" and entry["attempts"] == 2 and entry["http_status"] == 200
    assert server.puts[lost] == 2 and len(_stored(db)) == 2
    context.close()


def test_accepted_wordings_reach_the_cached_catalog_and_the_outbox_stays(server, profile, pw, db, world, app):
    """The worker's cached catalog takes the accepted wording when there is a line; offline the
    page then shows it from the cache, and a record waiting in the outbox is still there."""
    from fieldapp.translations_review.models import ACCEPTED, Suggestion
    from fieldapp.timeutil import utcnow
    import uuid

    _speaks_tigrinya(db, world)
    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD, username="coach")
    server.stop()
    waiting = outbox(page, "outbox.submit(outbox.newUuid(), arg)", {
        "channel": "rally", "street_id": world.streets["Smitsplein"], "house_number": 1, "outcome": "talked",
        "occurred_at": "2026-11-20T10:00:00+01:00", "language": "nl"})
    assert waiting["status"] == "pending"

    db.add(Suggestion(id=uuid.uuid4(), locale="ti", msgid="New record", forms=["ሓድሽ ጸብጻብ"],
                      suggested_by_id=world.users["coach"], suggested_at=utcnow(), fingerprint="0" * 64,
                      status=ACCEPTED, reviewed_by_id=world.users["adm"], reviewed_at=utcnow()))
    db.commit()
    server.start()
    open_field(page, server, "/field/?lang=ti")  # with a line: the catalog comes fresh and is kept
    page.wait_for_function("document.querySelector('#new-heading').textContent === 'ሓድሽ ጸብጻብ'")
    server.stop()
    open_field(page, server, "/field/?lang=ti")  # no line: the kept catalog
    page.wait_for_function("document.querySelector('#new-heading').textContent === 'ሓድሽ ጸብጻብ'")
    assert [e["uuid"] for e in outbox_entries(page)] == [waiting["uuid"]]
    context.close()
