"""The revisit queue on the phone: doors by street for a taalcoach who speaks their language, kept
for offline use; "Log a revisit" opens the chosen channel's form with the door filled in.
"""
from __future__ import annotations

import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import open_field, open_profile, outbox, prepare_online  # noqa: E402

from conftest import PASSWORD  # noqa: E402

from .screen_round import every_language_and_width  # noqa: E402
from .test_field_followups import bearer  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


@pytest.fixture
def queue(app, db, world):
    """Knocks without an answer, and a taalcoach who speaks Tigrinya and Somali."""
    from fieldapp.accounts.models import User, UserLanguage

    db.add_all([UserLanguage(user_id=world.users["coach"], language=code) for code in ("ti", "so")])
    db.commit()
    assert sorted(db.scalar(select(User).where(User.username == "coach")).spoken_languages) == ["so", "ti"]
    client = app.test_client()
    vol = bearer(client, "vol")
    doors = [  # street, number, addition, days ago, outcome, language
        ("Koningsweg", 10, "1", 9, "no_answer_language", "ti"),
        ("Koningsweg", 10, "1", 3, "no_answer_language", "ti"),  # 2 attempts
        ("Koningsweg", 12, None, 4, "not_home", "so"),
        ("Smitsplein", 1, None, 2, "no_answer_language", "ti"),
        ("Weegbreestraat", 5, None, 2, "no_answer_language", "tr"),  # not a language the coach speaks
    ]
    for street, number, addition, days, outcome, language in doors:
        body = {"channel": "rally", "street_id": world.streets[street], "house_number": number,
                "house_addition": addition, "occurred_at": (NOW - timedelta(days=days)).isoformat(),
                "language": language, "outcome": outcome}
        response = client.put(f"/api/v1/records/{uuid.uuid4()}", json=body, headers=vol)
        assert response.status_code == 201, response.get_json()
    return world


def open_revisits(page, server) -> None:
    open_field(page, server, "/field/revisits")
    page.wait_for_selector('main[data-ready="true"]')


def doors(page) -> dict:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.revisit-street')].map(s => [
        s.querySelector('h2').textContent,
        [...s.querySelectorAll('.revisit-door')].map(d => d.dataset.house)]))""")


def test_the_queue_by_street_fills_the_form_and_opens_offline(server, context, queue, db):
    from fieldapp.records.models import Record

    page = context.new_page()
    prepare_online(page, server, PASSWORD, username="coach")
    assert page.is_visible("#revisits-tile")  # on the taalcoach's home screen
    open_revisits(page, server)
    page.wait_for_selector(".revisit-street")
    assert doors(page) == {"Koningsweg": ["10-1", "12"], "Smitsplein": ["1"]}
    first = page.locator('.revisit-door[data-house="10-1"]')
    assert "ትግርኛ" in first.inner_text()
    assert page.is_checked("#revisit-taalcoach")  # a taalcoach logs the revisit they came on
    href = first.locator("a").get_attribute("href")
    assert urlparse(href).path == "/field/forms/rally"  # the default channel
    assert parse_qs(urlparse(href).query) == {
        "street_id": [str(queue.streets["Koningsweg"])], "street": ["Koningsweg"], "house_number": ["10"],
        "house_addition": ["1"], "language": ["ti"], "taalcoach_present": ["1"]}

    server.stop()  # the list on the phone: the worker's page, the kept copy
    page.reload()
    page.wait_for_selector(".revisit-street")
    assert doors(page) == {"Koningsweg": ["10-1", "12"], "Smitsplein": ["1"]}
    page.click("label.chip:has(input[name=revisit_channel][value=visit])")
    with page.expect_navigation():
        first.locator("a").click()
    page.wait_for_selector('#record-form[data-ready="true"]')
    assert page.url.split("?")[0].endswith("/field/forms/visit")
    assert page.input_value("#street") == str(queue.streets["Koningsweg"])
    assert page.input_value("#house_number") == "10" and page.input_value("#house_addition") == "1"
    assert page.is_checked('input[name="language"][value="ti"]') and page.is_checked("#taalcoach_present")
    page.click('nav.languages a[data-locale="so"]')  # the volunteer's language, not the door's
    page.wait_for_function("document.documentElement.lang === 'so'")
    assert page.is_checked('input[name="language"][value="ti"]')

    page.click("label.chip:has(input[name=outcome][value=talked])")
    record_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_function("id => document.querySelector('#record-form').dataset.recordId !== id", arg=record_id)
    server.start()
    outbox(page, "outbox.flush()")
    db.rollback()
    record = db.get(Record, uuid.UUID(record_id))
    assert (record.channel, record.street_id, record.house_number, record.house_addition, record.language,
            record.taalcoach_present, record.outcome) == (
        "visit", queue.streets["Koningsweg"], 10, "1", "ti", True, "talked")


def test_a_volunteer_has_no_queue_and_a_plain_form_opens_empty(server, context, queue):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)  # vol: a volunteer
    assert not page.is_visible("#revisits-tile")
    open_revisits(page, server)
    assert page.locator(".revisit-street").count() == 0
    assert page.inner_text("#revisit-copy").strip()  # says who the queue is for
    open_field(page, server, "/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    assert page.input_value("#house_number") == "" and not page.is_checked("#taalcoach_present")


@pytest.fixture
def layout_only_once(request):
    if request.node.callspec.params.get("database_url") == "postgresql":
        pytest.skip("screens are checked on SQLite; the PostgreSQL run covers the data flows")


def test_revisits_screen_in_every_locale_and_width(layout_only_once, server, context, queue):
    page = context.new_page()
    prepare_online(page, server, PASSWORD, username="coach")
    open_revisits(page, server)
    page.wait_for_selector(".revisit-street")
    assert every_language_and_width(page, "revisits") == {}
