"""The outbox in a real Chromium with a real service worker: nothing typed is lost, nothing arrives twice.

The server is a real HTTP server that these tests stop and start on the same port; the
browser profile is persistent, so closing the browser is what a volunteer's phone does.
Records are typed into the field forms the way a volunteer would.
"""
from __future__ import annotations

import json
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import (  # noqa: E402
    not_sent, open_field, open_profile, outbox, outbox_counts, outbox_entries, outbox_ready, prepare_online, retry_now,
)

from conftest import PASSWORD  # noqa: E402

from .conftest import eventually  # noqa: E402
from .artifacts import keep_screenshot

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "offline"
CHANNELS = ("rally", "klus", "loket", "visit")
UI_LOCALES = ("nl", "tr", "ti", "so")
CONVERSATION = ("nl", "tr", "ti", "so", "ar", "en")
RALLY_OUTCOMES = ("not_home", "no_answer_language", "refused", "brief", "talked", "let_in")
VISIT_OUTCOMES = ("let_in", "talked", "brief", "not_home", "refused")
HEARD_VIA = ("flyer", "neighbour", "rally", "social_worker", "portaal_welcome", "school", "religious_community")
TOPICS = ("energy_bill", "saving_tips", "draughts_damp", "heating", "debt", "subsidy")
MEASURES = ("led_bulb", "radiator_foil", "draught_strip", "shower_head")
NOTES = ("Kom terug met taalcoach", "Kapıda kısa konuşma", "ሰላም፡ ድሕሪ ሰሙን ተመለሱ", "Waxaa la doonayaa caawimaad", None)


def records_on_server(db):
    from fieldapp.records.models import Record

    db.rollback()  # a fresh snapshot: the server thread wrote since the last look
    return {str(r.id): r for r in db.scalars(select(Record))}


def plan(i: int, streets: dict) -> dict:
    """What the volunteer types for record i: every channel, UI language and conversation language."""
    channel = CHANNELS[i % 4]
    street_name = ("Smitsplein", "Koningsweg", "Weegbreestraat")[i % 3]
    house = {"Smitsplein": (1, None), "Koningsweg": (10, "2"), "Weegbreestraat": (5, None)}[street_name]
    if i % 5 == 4:
        house = (None, None)  # the resident did not want to give it
    typed = {
        "channel": channel,
        "street_id": streets[street_name],
        "house_number": house[0],
        "house_addition": house[1],
        "language": CONVERSATION[i % len(CONVERSATION)],
        "taalcoach_present": i % 3 == 0,
        "topics": sorted({TOPICS[i % len(TOPICS)], TOPICS[(i * 2 + 1) % len(TOPICS)]}) if channel != "klus" or i % 2 else [],
        "notes": NOTES[i % len(NOTES)],
        # A contact typed in late: minutes apart, in Amsterdam time as the phone shows it.
        "local_time": datetime(2026, 11, 20, 9, i * 2),
        "partners": ["balans", "eas"] if i % 4 == 1 else ["eas"],
        "measures": [],
        "heard_via": None,
        "outcome": None,
        "ui": UI_LOCALES[i % 4],
    }
    if channel == "rally":
        typed["outcome"] = RALLY_OUTCOMES[i % len(RALLY_OUTCOMES)]
    elif channel in ("klus", "visit"):
        typed["outcome"] = VISIT_OUTCOMES[i % len(VISIT_OUTCOMES)]
    else:
        typed["outcome"] = "talked"
        typed["heard_via"] = HEARD_VIA[i % len(HEARD_VIA)]
    if channel == "klus":
        typed["measures"] = sorted(
            [{"code": MEASURES[i % 4], "quantity": 1 + i % 5}, {"code": MEASURES[(i + 1) % 4], "quantity": 2}],
            key=lambda m: m["code"],
        )
    return typed


def type_record(page, typed: dict) -> str:
    """Fill the open form like a volunteer, switching the interface language first; returns the record's UUID."""
    page.click(f'a[data-locale="{typed["ui"]}"]')
    page.wait_for_function(f"document.documentElement.lang === '{typed['ui']}'")
    page.select_option("#street", str(typed["street_id"]))
    page.fill("#house_number", "" if typed["house_number"] is None else str(typed["house_number"]))
    page.fill("#house_addition", typed["house_addition"] or "")
    if page.locator('input[name="outcome"]').count():
        page.check(f'input[name="outcome"][value="{typed["outcome"]}"]')
    if typed["heard_via"]:
        page.check(f'input[name="heard_via"][value="{typed["heard_via"]}"]')
    page.check(f'input[name="language"][value="{typed["language"]}"]')
    page.set_checked("#taalcoach_present", typed["taalcoach_present"])
    for topic in typed["topics"]:
        page.check(f'input[name="topics"][value="{topic}"]')
    for measure in typed["measures"]:
        page.fill(f'#measure-{measure["code"]}', str(measure["quantity"]))
    for partner in typed["partners"]:
        box = page.locator(f'input[name="partners"][value="{partner}"]')
        if box.is_enabled():
            box.check()
    page.fill("#notes", typed["notes"] or "")
    page.fill("#occurred_at", typed["local_time"].strftime("%Y-%m-%dT%H:%M"))
    record_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    # The form moves on to a fresh record once the outbox has it.
    page.wait_for_function(
        "id => document.querySelector('#record-form').getAttribute('data-record-id') !== id", arg=record_id
    )
    return record_id


def assert_stored_as_typed(record, typed: dict) -> None:
    expected_at = typed["local_time"].replace(tzinfo=AMSTERDAM).astimezone(timezone.utc)
    assert record.channel == typed["channel"]
    assert record.street_id == typed["street_id"]
    assert record.house_number == typed["house_number"]
    assert (record.house_addition or None) == typed["house_addition"]
    assert record.language == typed["language"]
    assert record.taalcoach_present == typed["taalcoach_present"]
    assert record.outcome == typed["outcome"]
    assert sorted(record.topics) == typed["topics"]
    assert sorted(record.measures, key=lambda m: m["code"]) == typed["measures"]
    assert record.heard_via == typed["heard_via"]
    assert sorted(record.partners) == sorted(set(typed["partners"]) | {"eas"})
    assert record.notes == typed["notes"]
    assert record.occurred_at.astimezone(timezone.utc) == expected_at


def status_text(page) -> str:
    return page.inner_text("#outbox-status .outbox-status__text")


def test_25_records_typed_offline_survive_reload_and_browser_restart(server, profile, pw, db, world):
    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    server.stop()  # the stairwell: no signal from here on

    typed_by_id = {}
    # Door after door on one form per channel, as a volunteer works a street: after each send
    # the form starts the next record and keeps the street, language and partners.
    for first, channel in enumerate(CHANNELS):
        open_field(page, server, f"/field/forms/{channel}")  # served by the worker
        page.wait_for_selector('#record-form[data-ready="true"]')
        for i in range(first, 25, len(CHANNELS)):
            typed = plan(i, world.streets)
            typed_by_id[type_record(page, typed)] = typed

    assert len(typed_by_id) == 25
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '25'")
    page.reload()
    outbox_ready(page)
    assert not_sent(page) == 25
    context.close()  # the phone's browser is closed; its battery may die

    context = open_profile(pw, profile)
    page = context.new_page()
    open_field(page, server)  # still no server: the app opens from the worker's cache
    assert not_sent(page) == 25
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '25'")
    assert records_on_server(db) == {}

    server.start()  # signal again, same address
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    counts = outbox_counts(page)
    assert (counts["pending"], counts["sending"], counts["needs_attention"], counts["sent"]) == (0, 0, 0, 25)
    stored = records_on_server(db)
    assert set(stored) == set(typed_by_id)
    for record_id, typed in typed_by_id.items():
        assert_stored_as_typed(stored[record_id], typed)
    context.close()


def test_lost_acknowledgement_is_retried_and_stored_once(server, profile, pw, db, world):
    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/forms/klus")
    page.wait_for_selector('#record-form[data-ready="true"]')
    typed = plan(1, world.streets)
    record_id = page.get_attribute("#record-form", "data-record-id")
    server.cut_once.add(record_id)  # the server commits, the phone never hears back

    assert type_record(page, typed) == record_id
    assert record_id in records_on_server(db)  # it is there...
    entry = next(e for e in outbox_entries(page) if e["uuid"] == record_id)
    assert entry["status"] == "pending"  # ...but the phone cannot know, so it keeps it

    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    entry = next(e for e in outbox_entries(page) if e["uuid"] == record_id)
    assert entry["status"] == "sent" and entry["attempts"] == 2 and entry["http_status"] == 200
    assert server.puts[record_id] == 2
    stored = records_on_server(db)
    assert list(stored) == [record_id]
    assert_stored_as_typed(stored[record_id], typed)

    # The same for a backlog sent as one batch: committed, reply cut, re-sent, stored once each.
    server.stop()
    backlog = []
    for i in range(2, 7):
        open_field(page, server, f"/field/forms/{plan(i, world.streets)['channel']}")
        page.wait_for_selector('#record-form[data-ready="true"]')
        backlog.append(type_record(page, plan(i, world.streets)))
    server.cut_next_batch = True
    server.start()
    outbox(page, "outbox.flush()")  # what "Send now" does, awaited
    assert len(server.batches) == 1 and not_sent(page) == 5
    assert set(records_on_server(db)) == {record_id, *backlog}  # stored, but the phone does not know
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    assert [sorted(b) for b in server.batches] == [sorted(backlog)] * 2
    assert all(e["status"] == "sent" for e in outbox_entries(page))
    assert set(records_on_server(db)) == {record_id, *backlog}
    context.close()


def test_refused_records_stay_visible_until_a_deliberate_discard(server, profile, pw, db, world, app):
    from fieldapp.accounts.models import User
    from fieldapp.streets.models import Neighbourhood

    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')

    # 409: another body already sits on the server under the UUID the form made.
    taken_id = page.get_attribute("#record-form", "data-record-id")
    session = server.token("vol", PASSWORD)
    other = {"channel": "rally", "street_id": world.streets["Smitsplein"], "occurred_at": "2026-11-19T10:00:00+01:00",
             "language": "nl", "outcome": "brief"}
    request = urllib.request.Request(
        f"{server.url}/api/v1/records/{taken_id}", method="PUT", data=json.dumps(other).encode(),
        headers={"Authorization": f"Bearer {session['token']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    server.stop()
    first = plan(0, world.streets)
    first["ui"] = "tr"
    assert type_record(page, first) == taken_id

    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")

    # 422: typed offline; by the time it is sent the volunteer no longer works in that street.
    server.stop()
    second = plan(4, world.streets)
    second["ui"] = "tr"
    second_id = type_record(page, second)
    db.rollback()  # a fresh snapshot before writing: the server thread committed since
    user = db.get(User, world.users["vol"])
    user.neighbourhoods = [db.get(Neighbourhood, world.other_hood_id)]
    db.commit()
    assert not_sent(page) == 1

    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '2'")
    stored = records_on_server(db)
    assert set(stored) == {taken_id}  # nothing new was stored...
    assert stored[taken_id].outcome == "brief"  # ...and the server's record is untouched
    entries = {e["uuid"]: e for e in outbox_entries(page)}
    assert entries[taken_id]["status"] == "needs_attention" and entries[taken_id]["http_status"] == 409
    assert entries[second_id]["status"] == "needs_attention" and entries[second_id]["http_status"] == 422
    assert "street_id" in entries[second_id]["errors"]
    # The server's words, in the language the phone was using (Turkish).
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        from flask_babel import gettext, refresh

        refresh()
        assert entries[taken_id]["message"] == gettext("This record was already sent with different content.")
        assert entries[second_id]["errors"]["street_id"] == [gettext("Unknown street.")]

    # Shown to the volunteer, and still there after a reload and another round of sending.
    page.reload()
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '2'")
    outbox(page, "outbox.flush()")
    assert outbox_counts(page)["needs_attention"] == 2
    page.click("#outbox-status .outbox-status__toggle")
    items = page.locator("#outbox-attention li.outbox-entry")
    items.first.wait_for()
    assert items.count() == 2
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    keep_screenshot(page, ARTIFACTS / "needs-attention-tr.png", full_page=True)
    # Each refused body reached the server once; needs-attention entries are never re-sent on their own.
    assert server.puts[taken_id] == 2 and server.puts[second_id] == 1  # the other body's PUT + one replay

    # Only a deliberate discard removes one: dismissing the question keeps it.
    asked = []
    page.once("dialog", lambda dialog: asked.append(dialog.message) or dialog.dismiss())
    page.locator(f'li.outbox-entry[data-uuid="{second_id}"] .outbox-entry__discard').click()
    assert eventually(lambda: asked, page=page)
    assert outbox_counts(page)["needs_attention"] == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'li.outbox-entry[data-uuid="{second_id}"] .outbox-entry__discard').click()
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")
    assert [e["uuid"] for e in outbox_entries(page)] == [taken_id]
    context.close()


def test_corrections_are_new_records_and_the_refused_uuid_never_carries_another_body(server, profile, pw, db, world):
    from fieldapp.accounts.models import User
    from fieldapp.streets.models import Neighbourhood

    def move_volunteer(hood_id):
        db.rollback()
        db.get(User, world.users["vol"]).neighbourhoods = [db.get(Neighbourhood, hood_id)]
        db.commit()

    def entry(uuid):
        return next((e for e in outbox_entries(page) if e["uuid"] == uuid), None)

    context = open_profile(pw, profile)
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    typed = plan(0, world.streets)
    typed["ui"] = "nl"

    # A: refused (the volunteer lost access to the street), access back, "send" again unchanged:
    # the same body under the same UUID is a fair new try.
    move_volunteer(world.other_hood_id)
    page.click('a[data-locale="nl"]')
    page.select_option("#street", str(typed["street_id"]))
    page.check(f'input[name="outcome"][value="{typed["outcome"]}"]')
    page.check('input[name="language"][value="nl"]')
    page.fill("#house_number", "1")
    first_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("document.querySelector('[data-error-for=\"street_id\"]').textContent.length > 0")
    assert entry(first_id)["status"] == "needs_attention"
    move_volunteer(world.hood_id)
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').getAttribute('data-record-id') !== id", arg=first_id)
    assert entry(first_id)["status"] == "sent" and server.puts[first_id] == 2
    assert set(records_on_server(db)) == {first_id}

    # B: refused, then corrected in the form (another house number) and sent: a NEW record; the
    # refused UUID is kept as a tombstone and never sent with the new body.
    move_volunteer(world.other_hood_id)
    page.select_option("#street", str(typed["street_id"]))
    page.check('input[name="outcome"][value="talked"]')
    page.check('input[name="language"][value="tr"]')
    page.fill("#house_number", "2")
    second_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("document.querySelector('[data-error-for=\"street_id\"]').textContent.length > 0")
    move_volunteer(world.hood_id)
    page.fill("#house_number", "1")
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').getAttribute('data-record-id') !== id", arg=second_id)
    stored = records_on_server(db)
    assert second_id not in stored and server.puts[second_id] == 1
    [corrected] = set(stored) - {first_id}
    assert stored[corrected].house_number == 1 and stored[corrected].language == "tr"
    assert entry(second_id) is None  # not listed, not counted: replaced by its correction

    # C: refused while replaying in the background, fixed from the status bar's list.
    server.stop()
    page.fill("#house_number", "5")
    page.select_option("#street", str(world.streets["Weegbreestraat"]))
    page.check('input[name="outcome"][value="brief"]')
    page.check('input[name="language"][value="so"]')
    page.fill("#notes", "kom terug")
    third_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').getAttribute('data-record-id') !== id", arg=third_id)
    move_volunteer(world.other_hood_id)
    server.start()
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")
    move_volunteer(world.hood_id)
    page.click("#outbox-status .outbox-status__toggle")
    with page.expect_navigation():
        page.locator(f'li.outbox-entry[data-uuid="{third_id}"] .outbox-entry__fix').click()
    assert "fix=" in page.url
    page.wait_for_function("document.querySelector('#house_number').value === '5'")
    assert page.input_value("#notes") == "kom terug"
    assert page.is_checked('input[name="language"][value="so"]')
    assert page.locator('[data-error-for="street_id"]').inner_text().strip()  # the server's word, beside the field
    page.fill("#house_number", "")  # the resident preferred not to give it after all
    fourth_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').getAttribute('data-record-id') !== id", arg=fourth_id)
    stored = records_on_server(db)
    assert third_id not in stored and server.puts[third_id] == 1
    assert stored[fourth_id].house_number is None and stored[fourth_id].notes == "kom terug"
    assert stored[fourth_id].street_id == world.streets["Weegbreestraat"]
    assert outbox_counts(page)["needs_attention"] == 0 and entry(third_id) is None
    context.close()
