"""Login in the field, streets near me, and the common door-step contact in a few taps."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from babel.support import Translations

from .conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]


def tr(code: str, msgid: str) -> str:
    return Translations.load(str(ROOT / "translations"), [code]).gettext(msgid)


def test_login_errors_switch_language_and_login_returns_to_the_form(live_server, page_360):
    from conftest import PASSWORD

    page = page_360
    page.goto(f"{live_server.url}/field/forms/klus?lang=ti")
    page.wait_for_url("**/field/login?next=*")
    page.fill("#username", "vol")
    page.fill("#password", "not the password")
    page.click("#login-form button[type=submit]")
    error = page.locator("#login-error")
    error.wait_for()
    assert error.text_content() == tr("ti", "Wrong username or password.")
    page.click("nav.languages a[data-locale=so]")
    page.wait_for_function("document.documentElement.lang === 'so'")
    assert error.text_content() == tr("so", "Wrong username or password.")
    assert page.locator("label[for=username]").text_content() == tr("so", "Username")

    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/field/forms/klus")
    session = json.loads(page.evaluate("localStorage.getItem('fieldapp.session')"))
    assert session["user"]["username"] == "vol" and session["token"] and session["expires_at"]
    # The language chosen on the login screen carried over: the form may come from the service
    # worker's cache as first rendered (in ti) and switches itself once its script has run.
    page.wait_for_function("document.documentElement.lang === 'so'", timeout=10000)
    assert page.evaluate("document.documentElement.lang") == "so"


def test_door_step_contact_from_near_me_in_four_taps(live_server, browser):
    world = live_server.world
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  geolocation={"latitude": 52.16505, "longitude": 5.28505}, permissions=["geolocation"])
    page = context.new_page()
    try:
        signed_in(page, live_server, "vol")
        page.goto(f"{live_server.url}/field/?lang=nl")
        # Permission is already granted, so home finds the nearest street by itself.
        page.wait_for_selector("#street-list .street-choice[aria-pressed=true]")
        assert page.locator("#chosen-street-name").text_content() == "Smitsplein"
        first = page.locator("#street-list .street-choice").first
        assert "Smitsplein" in first.text_content()

        taps = 0
        page.click("a.tile-rally"); taps += 1
        page.wait_for_selector("#record-form[data-ready=true]")
        page.wait_for_function(f"document.getElementById('street').value === '{world.streets['Smitsplein']}'")
        page.click("#house_number"); taps += 1
        page.keyboard.type("2")
        page.click("label.chip:has(input[name=outcome][value=talked])"); taps += 1
        page.click("#send"); taps += 1
        page.wait_for_selector("#send-status[data-last-id]")
        record_id = page.locator("#send-status").get_attribute("data-last-id")
        assert taps <= 8

        token = live_server.token("vol")["token"]
        record = live_server.app.test_client().get(
            f"/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
        assert (record["channel"], record["street_id"], record["house_number"]) == ("rally", world.streets["Smitsplein"], 2)
        assert record["outcome"] == "talked" and record["language"] == "nl"
        occurred = datetime.fromisoformat(record["occurred_at"])
        assert abs(datetime.now(timezone.utc) - occurred) < timedelta(minutes=5)
    finally:
        context.close()


def test_server_rejection_is_shown_beside_the_field_and_switches_language(live_server, page_360):
    """A 422 the phone could not foresee (a partner code the server does not know) lands at its field."""
    page = page_360
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/visit?lang=tr")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.wait_for_selector(f"#street option[value='{live_server.world.streets['Koningsweg']}']", state="attached")
    page.select_option("#street", str(live_server.world.streets["Koningsweg"]))
    # A partner removed on the server after this page was cached.
    page.evaluate("""() => { const i = document.querySelector('input[name=partners][value=vang]');
                             i.value = 'gone'; i.checked = true; }""")
    page.click("#send")
    message = page.locator("[data-error-for=partners] p")
    message.wait_for()
    assert message.text_content() == tr("tr", "Unknown partner.")
    page.click("nav.languages a[data-locale=ti]")
    page.wait_for_function("document.documentElement.lang === 'ti'")
    assert message.text_content() == tr("ti", "Unknown partner.")


def test_client_checks_mirror_the_server_and_send_nothing(live_server, page_360):
    page = page_360
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/rally?lang=nl")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.fill("#house_number", "0")
    page.fill("#notes", "x" * 501)
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#occurred_at", tomorrow)
    page.click("#send")
    expected = {
        "street_id": "Choose a street.",
        "house_number": "Give a house number from 1 to 99999.",
        "outcome": "Choose how the door went.",
        "notes": "At most 500 characters.",
        "occurred_at": "This time lies in the future.",
    }
    for field, msgid in expected.items():
        assert page.locator(f"[data-error-for={field}] p").text_content() == tr("nl", msgid), field
    assert page.locator("#house_number").get_attribute("aria-invalid") == "true"
    page.click("nav.languages a[data-locale=tr]")
    page.wait_for_function("document.documentElement.lang === 'tr'")
    for field, msgid in expected.items():
        assert page.locator(f"[data-error-for={field}] p").text_content() == tr("tr", msgid), field
    # Correcting one field clears its message only.
    page.fill("#house_number", "1")
    assert page.locator("[data-error-for=house_number] p").count() == 0
    assert page.locator("[data-error-for=outcome] p").count() == 1

    token = live_server.token("vol")["token"]
    listed = live_server.app.test_client().get("/api/v1/records", headers={"Authorization": f"Bearer {token}"})
    assert listed.get_json()["records"] == []


def test_client_applies_the_schemas_rules_between_fields(live_server, page_360):
    """The form has no copies of the channel rules: it applies the table codes.json serves from the schema."""
    page = page_360
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/loket?lang=nl")
    page.wait_for_selector("#record-form[data-ready=true]")
    rules = page.evaluate("fetch('/field/codes.json').then(r => r.json()).then(c => c.rules.field_rules)")
    message = {(r["field"], r["need"]): r["message"] for r in rules}
    page.select_option("#street", str(live_server.world.streets["Koningsweg"]))
    page.fill("#house_addition", "A")  # no house number, and no answer to how the visitor heard of us
    page.click("#send")
    assert page.locator("[data-error-for=heard_via] p").text_content() == tr("nl", message["heard_via", "required"])
    assert page.locator("[data-error-for=house_addition] p").text_content() == tr("nl", message["house_addition", "forbidden"])
    assert page.locator("#send-status").text_content() == tr("nl", "Some fields need attention.")

    token = live_server.token("vol")["token"]
    listed = live_server.app.test_client().get("/api/v1/records", headers={"Authorization": f"Bearer {token}"})
    assert listed.get_json()["records"] == []


def test_every_module_a_page_imports_is_asked_for_at_once(live_server, page_360):
    """No bundler, and no waterfall: the page announces every module it imports (modulepreload),
    so the HTML parser asks for each; none is found only once the module importing it arrived."""
    from urllib.parse import urlsplit

    page = page_360
    signed_in(page, live_server, "vol")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    asked = {}  # module path → who asked first: "parser" (the HTML) or "script" (an import)
    cdp.on("Network.requestWillBeSent", lambda e: asked.setdefault(urlsplit(e["request"]["url"]).path, e["initiator"]["type"])
           if "/static/js/" in e["request"]["url"] else None)
    for path in ("/field/forms/klus", "/field/", "/field/login"):
        asked.clear()
        page.goto(f"{live_server.url}{path}?lang=nl")
        page.wait_for_function("document.readyState === 'complete'")
        assert len(asked) > 15 and all(who == "parser" for who in asked.values()), (path, asked)


def test_a_sign_up_at_a_meeting_with_ownership_codes_survives_a_language_switch(live_server, page_360):
    """The event form: no door outcome, the ownership codes as checkboxes; ticks stay through a
    switch of language and arrive as codes."""
    page = page_360
    world = live_server.world
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/forms/event?lang=tr")
    page.wait_for_selector("#record-form[data-ready=true]")
    assert page.locator('input[name="outcome"]').count() == 0
    assert page.locator('input[name="ownership"]').count() == 6
    page.wait_for_selector(f"#street option[value='{world.streets['Koningsweg']}']", state="attached")
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.check('input[name="language"][value="ti"]')
    page.click("label.chip:has(input[name=ownership][value=cooked])")
    page.click("label.chip:has(input[name=ownership][value=language_helper])")
    page.click("nav.languages a[data-locale=ti]")
    page.wait_for_function("document.documentElement.lang === 'ti'")
    checked = page.eval_on_selector_all('input[name="ownership"]:checked', "boxes => boxes.map(b => b.value)")
    assert checked == ["cooked", "language_helper"]
    page.click("#send")
    page.wait_for_selector("#send-status[data-last-id]")
    record_id = page.locator("#send-status").get_attribute("data-last-id")

    token = live_server.token("vol")["token"]
    record = live_server.app.test_client().get(
        f"/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (record["channel"], record["street_id"], record["house_number"]) == ("event", world.streets["Koningsweg"], None)
    assert record["outcome"] is None and record["language"] == "ti"
    assert record["ownership"] == ["cooked", "language_helper"] and record["ambassador"] is False
    # The next sign-up starts with no code ticked.
    page.wait_for_function("document.querySelectorAll('input[name=ownership]:checked').length === 0")
