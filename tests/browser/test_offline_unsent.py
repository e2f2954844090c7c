"""What is still on the phone, said plainly: listed on the home screen, "Send now" only with a line,
a lost answer called what it is, and the state in one place with one wording.
"""
from __future__ import annotations

import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

sys.path.insert(0, str(Path(__file__).parent))
from leftovers import assert_no_leftover_text, fetch_catalog, switch_to  # noqa: E402
from offline_support import not_sent, open_field, open_profile, prepare_online, retry_now, submit  # noqa: E402

from conftest import PASSWORD  # noqa: E402
from .artifacts import keep_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "offline"
CHANNEL_MSGIDS = {"rally": "Bakfietsrally contact", "klus": "Klusactie visit", "loket": "Energieloket walk-in"}


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


def say(catalog: dict, msgid: str, **params) -> str:
    """What the phone shows for msgid (the English msgid itself until the catalogs have it)."""
    text = catalog["messages"].get(msgid) or msgid
    for name, value in params.items():
        text = text.replace(f"%({name})s", str(value)).replace(f"%({name})d", str(value))
    return text


def local_time(catalog: dict, iso: str) -> str:
    """The time as CLDR writes it in the catalog's language, in the phone's time zone."""
    when = datetime.fromisoformat(iso).astimezone(AMSTERDAM).replace(tzinfo=None)
    return format_datetime(when, catalog["meta"]["datetime"]["pattern"], locale=catalog["meta"]["locale"])


def type_rally(page, world, number: str, language: str = "nl") -> str:
    page.wait_for_selector('#record-form[data-ready="true"]')
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.fill("#house_number", number)
    page.click("label.chip:has(input[name=outcome][value=talked])")
    page.click(f"label.chip:has(input[name=language][value={language}])")
    page.fill("#occurred_at", "2026-12-01T09:15")
    record_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').dataset.recordId !== id", arg=record_id)
    return record_id


def visible_text(page) -> str:
    return page.evaluate("document.body.innerText")


def test_the_home_screen_lists_what_is_not_sent_in_the_interface_language(server, context, world):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    catalogs = {code: fetch_catalog(page, code) for code in ("nl", "tr", "ti", "so")}
    context.set_offline(True)  # the stairwell
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    open_field(page, server, "/field/forms/rally")
    type_rally(page, world, "14")
    assert page.inner_text("#send-status") == say(catalogs["nl"], "Saved on this phone. It is sent when there is a connection.")
    submit(page, {
        "channel": "klus", "street_id": world.streets["Koningsweg"], "house_number": 10, "house_addition": "2",
        "occurred_at": "2026-12-01T11:40:00+01:00", "language": "tr", "outcome": "let_in",
        "measures": [{"code": "led_bulb", "quantity": 2}]})
    submit(page, {
        "channel": "loket", "street_id": world.streets["Weegbreestraat"], "occurred_at": "2026-12-02T08:05:00+01:00",
        "language": "so", "heard_via": "neighbour"})
    assert not_sent(page) == 3

    open_field(page, server)  # the home screen, from the worker
    rows = page.locator("#unsent-list li")
    rows.nth(2).wait_for()
    expected = [  # newest first
        ("loket", "Weegbreestraat", "2026-12-02T08:05:00+01:00"),
        ("klus", "Koningsweg 10-2", "2026-12-01T11:40:00+01:00"),
        ("rally", "Koningsweg 14", "2026-12-01T09:15:00+01:00"),
    ]
    previous = "nl"
    for code in ("nl", "tr", "ti", "so"):
        if code != previous:
            switch_to(page, code)
            assert_no_leftover_text(page, catalogs[previous], catalogs[code])
        catalog = catalogs[code]
        assert page.inner_text("#unsent-heading") == say(catalog, "Not sent yet")
        shown = [[rows.nth(i).locator(part).inner_text() for part in (".what", ".where", "time")] for i in range(3)]
        assert shown == [[say(catalog, CHANNEL_MSGIDS[ch]), where, local_time(catalog, iso)] for ch, where, iso in expected]

        # The state once, in one wording: the status bar. No "Send now" without a line.
        status = page.inner_text("#outbox-status .outbox-status__text")
        assert say(catalog, "%(count)d records not sent yet", count=3) in status
        assert say(catalog, "Offline: records are kept on this phone") in status
        assert visible_text(page).count(say(catalog, "%(count)d records not sent yet", count=3)) == 1
        assert say(catalog, "Not sent yet: %(count)s", count=3) not in visible_text(page)
        assert page.locator("#outbox-status .outbox-status__send").is_hidden()
        keep_screenshot(page, ARTIFACTS / f"unsent-home-{code}.png", full_page=True)
        previous = code

    context.set_offline(False)  # signal again: the outbox sends by itself
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    page.wait_for_selector("#unsent", state="hidden")
    assert not_sent(page) == 0


def test_send_now_only_with_a_line_and_a_lost_answer_is_retried(server, context, world, db):
    from fieldapp.records.models import Record

    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    catalog = fetch_catalog(page, "nl")
    send_now = page.locator("#outbox-status .outbox-status__send")

    # The server stores the record, but its answer never reaches the phone: there IS a line.
    open_field(page, server, "/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    record_id = page.get_attribute("#record-form", "data-record-id")
    server.cut_once.add(record_id)
    type_rally(page, world, "16")
    assert page.inner_text("#send-status") == say(catalog, "Saved on this phone. Sending is retried automatically.")
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '1'")
    status = page.inner_text("#outbox-status .outbox-status__text")
    assert say(catalog, "Sending is retried automatically.") in status
    assert say(catalog, "Offline: records are kept on this phone") not in status
    assert send_now.is_hidden()  # it could only fail again: the outbox retries by itself
    retry_now(page)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
    db.rollback()
    assert db.get(Record, uuid.UUID(record_id)) is not None

    # With a line and no failed try, a record on its way can be pushed: "Send now" is there.
    server.put_delay = 5.0
    open_field(page, server, "/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.click("label.chip:has(input[name=outcome][value=talked])")
    page.click("#send")
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '1'")
    send_now.wait_for(state="visible")
    server.put_delay = 0.0
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")

    # No line at all: kept, said so, and no button until the signal is back.
    context.set_offline(True)
    open_field(page, server, "/field/forms/visit")
    page.wait_for_selector('#record-form[data-ready="true"]')
    visit_id = page.get_attribute("#record-form", "data-record-id")
    page.select_option("#street", str(world.streets["Smitsplein"]))
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').dataset.recordId !== id", arg=visit_id)
    assert page.inner_text("#send-status") == say(catalog, "Saved on this phone. It is sent when there is a connection.")
    assert send_now.is_hidden()
    context.set_offline(False)
    page.wait_for_function("document.querySelector('#outbox-status').dataset.state === 'ok'")
