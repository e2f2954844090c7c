"""Half a klusactie form, four languages, nothing lost; then the record on the server is complete."""
from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from .conftest import eventually, signed_in
from .artifacts import keep_screenshot

ROOT = Path(__file__).resolve().parents[2]


def tr(code: str, msgid: str) -> str:
    return Translations.load(str(ROOT / "translations"), [code]).gettext(msgid)


def form_state(page) -> dict:
    """Everything typed or tapped, read from the DOM."""
    return page.evaluate("""() => {
        const f = document.getElementById('record-form');
        const on = name => [...f.querySelectorAll(`input[name="${name}"]`)].filter(i => i.checked).map(i => i.value);
        return {
            street: f.street_id.value, number: f.house_number.value, addition: f.house_addition.value,
            measures: Object.fromEntries([...f.querySelectorAll('input[name="measure"]')].map(i => [i.dataset.code, i.value])),
            language: on('language'), taalcoach: f.taalcoach_present.checked, topics: on('topics'),
            referrals: on('referrals'), consent: on('consent'), partners: on('partners'), outcome: on('outcome'),
            notes: f.notes.value, when: f.occurred_at.value, uuid: f.dataset.recordId,
        };
    }""")


def test_switch_language_mid_form_then_send(live_server, page_360, artifacts_dir):
    page = page_360
    signed_in(page, live_server, "vol")
    world = live_server.world
    page.goto(f"{live_server.url}/field/forms/klus?lang=nl")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.wait_for_selector(f"#street option[value='{world.streets['Koningsweg']}']", state="attached")

    # Half a klusactie: a street, a flat, some measures, a language, a follow-up with consent.
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.fill("#house_number", "10")
    page.fill("#house_addition", "ABCDEFGHIJKL")  # too long: the server allows 10
    for _ in range(3):
        page.click("[data-measure=led_bulb] [data-step='1']")
    page.click("[data-measure=radiator_foil] [data-step='1']")
    page.fill("#measure-shower_head", "2")
    page.click("label.chip:has(input[name=language][value=tr])")
    page.check("#taalcoach_present")
    page.click("label.chip:has(input[name=topics][value=energy_bill])")
    page.click("label.chip:has(input[name=topics][value=draughts_damp])")
    page.click("label.chip:has(input[name=partners][value=balans])")
    page.click("label.chip:has(input[name=referrals][value=energy_coach])")
    page.fill("#notes", "Tocht bij de voordeur")
    page.click("#send")  # the check beside the field fires before anything is sent
    addition_error = page.locator("[data-error-for=house_addition] p")
    assert addition_error.text_content() == tr("nl", "At most 10 characters.")
    consent_error = page.locator("[data-error-for=referrals] p")
    assert consent_error.text_content() == tr("nl", "Ask whether the resident wants this follow-up.")

    # The resident card shows in the conversation language (Turkish), not the interface's.
    page.click("#show-card")
    card = page.locator("#card-overlay .resident-card")
    card.locator("[data-i18n='We are not an energy company. We sell nothing.']").wait_for()
    page.wait_for_function("document.querySelector('#card-overlay .resident-card').lang === 'tr'")
    assert "Biz bir enerji şirketi değiliz." in card.text_content()
    # The resident reads Somali better: one tap on the card, the form stays as it is.
    page.click("#card-overlay [data-card-lang=so]")
    page.wait_for_function("document.querySelector('#card-overlay .resident-card').lang === 'so'")
    assert "Ma nihin shirkad tamar." in card.text_content()
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.click("#card-overlay [data-card-answer=yes]")
    assert consent_error.count() == 0, "the answer clears the complaint about consent"

    before = form_state(page)
    assert before["consent"] == ["yes"] and before["measures"]["led_bulb"] == "3"
    page.evaluate("window.__sameDocument = true")
    for code in ["tr", "ti", "so", "nl", "ti"]:
        page.click(f"nav.languages a[data-locale={code}]")
        page.wait_for_function(f"document.documentElement.lang === '{code}'")
        assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
        assert form_state(page) == before, f"values changed after switching to {code}"
        assert page.locator("[data-section=measures] legend").text_content() == tr(code, "Measures installed")
        assert addition_error.text_content() == tr(code, "At most 10 characters.")
        assert page.locator("nav.languages a[aria-current]").get_attribute("data-locale") == code
        # The card keeps the resident's language whatever the volunteer reads.
        page.click("#show-card")
        assert card.get_attribute("lang") == "tr"
        assert "Biz bir enerji şirketi değiliz." in card.text_content()
        page.click("#close-card")
    keep_screenshot(page, artifacts_dir / "field-klus-switched-ti.png", full_page=True)
    assert page.evaluate("document.cookie").find("lang=ti") >= 0

    page.fill("#house_addition", "2")
    page.click("#send")
    page.wait_for_selector(f"#send-status[data-last-id='{before['uuid']}']")
    assert page.locator("#send-status").text_content() in (
        tr("ti", "Sent. Ready for the next door."), tr("ti", "Saved on this phone. It is sent when there is a connection."))
    # The form is ready for the next door: a new UUID, the street and language kept.
    after = form_state(page)
    assert after["uuid"] != before["uuid"] and after["street"] == before["street"] and after["number"] == ""

    token = live_server.token("vol")["token"]

    def stored():  # sent through an outbox that may not have drained yet
        response = live_server.app.test_client().get(
            f"/api/v1/records/{before['uuid']}", headers={"Authorization": f"Bearer {token}"})
        return response if response.status_code == 200 else None

    response = eventually(stored)
    assert response is not None and response.status_code == 200
    record = response.get_json()
    assert record["channel"] == "klus"
    assert record["street_id"] == world.streets["Koningsweg"]
    assert (record["house_number"], record["house_addition"]) == (10, "2")
    assert record["address_registered"] is True
    assert record["language"] == "tr" and record["taalcoach_present"] is True
    assert record["outcome"] == "let_in"
    assert record["measures"] == [
        {"code": "led_bulb", "quantity": 3}, {"code": "radiator_foil", "quantity": 1}, {"code": "shower_head", "quantity": 2}]
    assert record["topics"] == ["draughts_damp", "energy_bill"]
    assert record["partners"] == ["balans", "eas"]
    assert [(r["code"], r["consent"]) for r in record["referrals"]] == [("energy_coach", True)]
    assert record["notes"] == "Tocht bij de voordeur"
    assert record["recorded_by"] == "vol"
