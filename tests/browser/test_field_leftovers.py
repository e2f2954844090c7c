"""After a language switch no text of the previous language is left on any field screen.

Each screen is brought into a state with script-written text (messages, errors, the sync status,
lists), then switched nl → tr → ti → so → nl; finally it is opened again from the service
worker's cache, which holds the pages as the first visit rendered them (Dutch), while the
volunteer works in Turkish.
"""
from __future__ import annotations

import uuid

import pytest

from .conftest import signed_in
from .leftovers import assert_no_leftover_text, fetch_catalog, switch_to
from .offline_support import submit, wait_for_worker

SCREENS = {
    "login": "/field/login",
    "home": "/field/",
    "card": "/field/card",
    "rally": "/field/forms/rally",
    "klus": "/field/forms/klus",
    "loket": "/field/forms/loket",
    "visit": "/field/forms/visit",
}
SWITCHES = ("tr", "ti", "so", "nl")
NEAR_WEEGBREESTRAAT = {"latitude": 52.1712, "longitude": 5.2851}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="nl-NL",
        timezone_id="Europe/Amsterdam", geolocation=NEAR_WEEGBREESTRAAT, permissions=["geolocation"],
    )
    context.set_default_timeout(30000)
    yield context
    context.close()


def record(world, **extra) -> dict:
    return {"channel": "rally", "street_id": world.streets["Koningsweg"], "house_number": 10, "house_addition": "2",
            "occurred_at": "2026-12-01T10:15:00+01:00", "language": "tr", "outcome": "talked", **extra}


def prepare_login(page, live_server):
    page.fill("#username", "vol")
    page.fill("#password", "not the password")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")


def prepare_home(page, live_server):
    world = live_server.world
    page.wait_for_selector("#street-list .distance")  # near me, with distances
    page.wait_for_selector("#recent-list li")
    # One record the server refused (its messages arrived in Dutch), the list of them open ...
    submit(page, record(world, outcome=None, house_number=None, house_addition=None))
    page.wait_for_function("document.querySelector('#outbox-status').dataset.attention === '1'")
    page.click("#outbox-status .outbox-status__toggle")
    page.wait_for_selector("#outbox-attention li.outbox-entry")
    # ... and one kept on the phone with no signal.
    page.context.set_offline(True)
    submit(page, record(world))
    page.wait_for_function("document.querySelector('#outbox-status').dataset.pending === '1'")


def prepare_form(page, live_server):
    page.wait_for_selector('#record-form[data-ready="true"]')
    page.fill("#notes", "x" * 600)
    page.click("#send")  # the checks beside the fields, and the status line
    page.wait_for_selector("#send-status:not(:empty)")


PREPARE = {"login": prepare_login, "home": prepare_home, "rally": prepare_form, "klus": prepare_form,
           "loket": prepare_form, "visit": prepare_form}


@pytest.mark.parametrize("screen", SCREENS)
def test_no_text_of_the_previous_language_is_left(live_server, phone, screen):
    path = SCREENS[screen]
    page = phone.new_page()
    if screen != "login":
        signed_in(page, live_server)
        token = live_server.token("vol")["token"]
        put = live_server.app.test_client().put(
            f"/api/v1/records/{uuid.uuid4()}", json=record(live_server.world),
            headers={"Authorization": f"Bearer {token}"})
        assert put.status_code == 201  # "my recent records" has one
    page.goto(f"{live_server.url}{path}?lang=nl")
    wait_for_worker(page)
    page.wait_for_function("document.documentElement.lang === 'nl'")
    catalogs = {code: fetch_catalog(page, code) for code in ("nl", "tr", "ti", "so")}
    if screen in PREPARE:
        PREPARE[screen](page, live_server)

    previous = "nl"
    for code in SWITCHES:
        switch_to(page, code)
        assert_no_leftover_text(page, catalogs[previous], catalogs[code])
        previous = code

    # The worker's copy of the page is Dutch; the volunteer now works in Turkish.
    switch_to(page, "tr")
    page.goto(f"{live_server.url}{path}")
    page.wait_for_function("document.documentElement.lang === 'tr'")
    assert_no_leftover_text(page, catalogs["nl"], catalogs["tr"])
