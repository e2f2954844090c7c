"""Initiatives on a 360 px phone in Somali (issue 16): the office list (stalled first), one
initiative and the session overview fit the screen with no word broken; the field form offers
the running initiatives of the volunteer's organisation and sends the one chosen."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from conftest import session_client
from fieldapp.timeutil import day_number, local_date, utcnow

from .conftest import signed_in
from .layout_checks import assert_fits_screen, assert_no_broken_words
from .artifacts import keep_screenshot

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def test_list_initiative_and_overview_fit_a_phone_in_somali(app, db, world, live_server, browser, artifacts_dir):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {live_server.token('coord')['token']}"}
    made = []
    for title, status in (("Klusdag galerijflats Smitsweg met Portaal en Present", "running"),
                          ("Energiecafé in de moskee voor Turkstalige bewoners", "running"),
                          ("Welkomstgesprekken nieuwe huurders samen met de energiecoaches", "running")):
        response = api.post("/api/v1/initiatives", headers=headers, json={
            "title": title, "description": "Samen met twee partners; geen namen van bewoners.",
            "partners": ["eas", "present", "portaal"], "owner_partner": "eas", "owner": "vol", "status": status,
            "start_date": "2026-01-10", "next_step": "Zaal reserveren in het buurthuis Smitshof",
            "next_step_due": str(local_date(utcnow()) + timedelta(days=20))})
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json()["id"])
    at = (utcnow() - timedelta(days=2)).isoformat()
    for text, status in (("Datum vastgezet met Portaal; veertig woningen aangemeld", None),
                         ("Klusdag gehouden: ledlampen en radiatorfolie geplaatst", "done")):
        body = {"at": at, "text": text, **({"status": status} if status else {})}
        assert api.put(f"/api/v1/initiatives/{made[1]}/notes/{uuid.uuid4()}", headers=headers,
                       json=body).status_code == 201
    from fieldapp.initiatives.models import Initiative

    db.get(Initiative, made[0]).last_progress_day = day_number(local_date(utcnow())) - 45  # stalled
    db.commit()

    context = browser.new_context(**PHONE)
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    context.add_cookies([{"name": name, "url": live_server.url,
                          "value": session_client(app, world.users["coord"]).get_cookie(name).value}])
    page = context.new_page()
    failures = []
    try:
        for label, path in (("list", "/initiatives/"), ("initiative", f"/initiatives/{made[1]}"),
                            ("overview", "/initiatives/overview"), ("new", "/initiatives/new")):
            response = page.goto(f"{live_server.url}{path}?lang=so")
            assert response.status == 200, (path, response.status)
            assert page.evaluate("document.documentElement.lang") == "so"
            keep_screenshot(page, artifacts_dir / f"initiatives-{label}-so-360.png", full_page=True)
            for check in (assert_fits_screen, assert_no_broken_words):
                try:
                    check(page)
                except AssertionError as error:
                    failures.append(f"{label}: {error}")
            if label == "list":
                # Stalled first: the quiet one's card comes before every other.
                titles = page.locator(".initiative-card h3").all_inner_texts()
                assert titles[0].startswith("Klusdag galerijflats"), titles
        page.emulate_media(media="print")
        page.goto(f"{live_server.url}/initiatives/overview?lang=so")
        assert page.locator(".topbar").is_hidden() and page.locator("form.no-print").is_hidden()
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_the_field_form_offers_and_sends_a_running_initiative(app, db, world, live_server, browser):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {live_server.token('coord')['token']}"}
    ours = api.post("/api/v1/initiatives", headers=headers, json={
        "title": "Klusdag Smitsweg", "partners": ["eas", "present"], "owner_partner": "eas", "owner": "vol",
        "status": "running", "start_date": "2026-01-10"}).get_json()
    api.post("/api/v1/initiatives", headers=headers, json={
        "title": "Niet van eas", "partners": ["balans", "present"], "owner_partner": "balans", "owner": "coach",
        "status": "running", "start_date": "2026-01-10"})
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        signed_in(page, live_server, "vol")
        page.goto(f"{live_server.url}/field/forms/rally?lang=so")
        page.wait_for_selector("#record-form[data-ready='true']")
        page.wait_for_selector("#initiative-section:not([hidden])")
        options = page.locator("#initiative option").all_inner_texts()
        assert options[1:] == ["Klusdag Smitsweg"], options
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.select_option("#street", str(world.streets["Smitsplein"]))
        page.click("label.chip:has(input[name=outcome][value=talked])")
        page.select_option("#initiative", str(ours["id"]))
        page.click("#send")
        page.wait_for_selector("#send-status[data-last-id]")
        record_id = page.locator("#send-status").get_attribute("data-last-id")
        from fieldapp.records.models import Record

        db.expire_all()
        for _ in range(50):
            stored = db.get(Record, uuid.UUID(record_id))
            if stored is not None:
                break
            page.wait_for_timeout(100)
            db.rollback()
        assert stored is not None and stored.initiative_id == ours["id"]
        # Offline, the kept list still offers it.
        assert page.evaluate("JSON.parse(localStorage.getItem('fieldapp.initiatives'))") == [
            {"id": ours["id"], "title": "Klusdag Smitsweg"}]
    finally:
        context.close()
