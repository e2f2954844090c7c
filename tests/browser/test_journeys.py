"""Journeys: the app started the way the README says (`make demo`), used as its people use it.

A volunteer on a 360 px phone logs a door-step contact in each of the four languages; a
taalcoach switches language mid-form and no word of the previous language stays behind; a
coordinator signs in with TOTP and reads the dashboard, the map and the follow-up queue.
A promise made at the door is kept: the volunteer records a referral in Turkish, the coordinator
gives it to someone who speaks Turkish at the office desk, the volunteer makes the appointment on
the phone and shows the resident the card in Turkish; a taalcoach goes back to a door from the
revisit queue, in Tigrinya. Together: a coordinator starts a joint initiative and plans an
evening for the Eritrean community under it; at the evening a taalcoach signs a resident up on
the phone in Tigrinya; the head count goes in afterwards, and the dashboard, the initiative and
the monthly session overview show what happened.
Everything goes over real HTTP to the demo process; nothing is arranged inside pytest.
"""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pyotp
import pytest

from .demo_process import PASSWORD, DemoProcess
from .layout_checks import assert_fits_screen, assert_no_broken_words
from .leftovers import assert_no_leftover_text

# One process runs them all: they share the demo process. Session-scoped, not module-scoped:
# xdist may run another module's test between two journeys, and a module fixture would then
# stop the demo and seed a new one (18-24 s each time).
pytestmark = pytest.mark.xdist_group("journeys")
LANGUAGES = ("nl", "tr", "ti", "so")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    process = DemoProcess(tmp_path_factory.mktemp("demo-instance")).start()
    yield process
    process.stop()


@pytest.fixture
def phone(browser):
    """A page in a fresh 360 px phone context, closed after the test."""
    context = browser.new_context(**PHONE, locale="nl-NL")
    yield context.new_page()
    context.close()


def api(demo: DemoProcess, path: str, token: str | None = None, body: dict | None = None) -> dict:
    request = urllib.request.Request(demo.url + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def catalog(demo: DemoProcess, code: str) -> dict:
    return api(demo, f"/field/i18n/{code}.json")


def field_login(page, demo: DemoProcess, username: str, lang: str = "nl") -> None:
    page.goto(f"{demo.url}/field/login?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{demo.url}/field/")


def switch_language(page, code: str) -> None:
    page.click(f"nav.languages a[data-locale={code}]")
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def test_make_demo_serves_until_stopped_and_serves_again(demo):
    """The module's demo, started on a new instance (so it seeded), stopped with Ctrl+C and
    started again on the same data and port; the journeys below go on with it."""
    first = api(demo, "/healthz")
    token = api(demo, "/api/v1/auth/token", body={"username": "volunteer", "password": PASSWORD})["token"]
    streets = api(demo, "/api/v1/streets", token)["streets"]
    assert "3200 records (3200 added now)" in "".join(demo.output)
    status = demo.stop()
    assert first == {"status": "ok", "database": "ok"}
    assert len(streets) == 25
    assert status in (0, 2, 130, -2), "".join(demo.output[-20:])  # make's answer to Ctrl+C
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{demo.url}/healthz", timeout=2)

    demo.start()  # same instance, same port
    token = api(demo, "/api/v1/auth/token", body={"username": "volunteer", "password": PASSWORD})["token"]
    assert len(api(demo, "/api/v1/streets", token)["streets"]) == 25  # seeded once, not twice
    assert "3200 records (0 added now)" in "".join(demo.output)


def test_volunteer_logs_a_door_step_contact_in_each_language(demo, phone):
    page = phone
    field_login(page, demo, "volunteer")
    sent = {}
    for number, code in enumerate(LANGUAGES, start=101):
        page.goto(f"{demo.url}/field/")
        switch_language(page, code)
        page.click("a.tile-rally")
        page.wait_for_selector("#record-form[data-ready=true]")
        page.select_option("#street", label="Smitsweg")
        page.fill("#house_number", str(number))
        page.click("label.chip:has(input[name=outcome][value=talked])")
        sent[send_record(page)] = (code, number)
        assert_fits_screen(page)
        assert_no_broken_words(page)
    token = api(demo, "/api/v1/auth/token", body={"username": "volunteer", "password": PASSWORD})["token"]
    for record_id, (code, number) in sent.items():
        record = api(demo, f"/api/v1/records/{record_id}", token)
        # The conversation language follows the screen's language unless chosen by hand.
        assert (record["house_number"], record["outcome"], record["language"]) == (number, "talked", code)


def test_taalcoach_switches_mid_form_and_nothing_of_the_old_language_remains(demo, phone):
    page = phone
    catalogs = {code: catalog(demo, code) for code in LANGUAGES}
    field_login(page, demo, "taalcoach")
    page.goto(f"{demo.url}/field/forms/klus")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.select_option("#street", label="Weegbreestraat")
    page.fill("#house_number", "7")
    page.fill("#notes", "radiatorfolie achter 3 radiatoren")
    page.fill("#measure-led_bulb", "4")
    order = ["nl", "tr", "ti", "so", "nl"]
    for old, new in zip(order, order[1:]):
        switch_language(page, new)
        assert_no_leftover_text(page, catalogs[old], catalogs[new])
        assert_fits_screen(page)
        assert page.input_value("#house_number") == "7"
        assert page.input_value("#notes") == "radiatorfolie achter 3 radiatoren"
        assert page.input_value("#measure-led_bulb") == "4"
        assert page.locator("input[name=language]:checked").get_attribute("value") == new
    page.click("label.chip:has(input[name=language][value=ti])")  # the resident speaks Tigrinya
    switch_language(page, "so")
    assert page.locator("input[name=language]:checked").get_attribute("value") == "ti"  # chosen by hand


USED_STEPS: dict[str, int] = {}  # the last TOTP step each user signed in with


def office_login(page, demo: DemoProcess, username: str) -> None:
    """Password, then the code from the authenticator app, as a coordinator signs in. A code is
    taken once: a second sign-in in the same 30 seconds takes the next step's code, which the
    server accepts from a phone whose clock runs ahead, and only a third one waits."""
    page.goto(f"{demo.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/login/code")
    totp = pyotp.TOTP(demo.totp_secret(username))
    step = max(int(time.time()) // totp.interval, USED_STEPS.get(username, -1) + 1)
    while step > int(time.time()) // totp.interval + 1:  # beyond the server's window: wait
        time.sleep(totp.interval - time.time() % totp.interval + 0.5)
    USED_STEPS[username] = step
    page.fill("#code", totp.at(step * totp.interval))
    page.click("form button[type=submit]")
    page.wait_for_url("**/dashboard/**")


def test_coordinator_signs_in_with_totp_and_reads_the_office_screens(demo, phone):
    page = phone
    office_login(page, demo, "coordinator")
    for code in LANGUAGES:
        for path in ("/dashboard/", "/dashboard/map", "/dashboard/followup"):
            page.goto(f"{demo.url}{path}?lang={code}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == code
            assert_fits_screen(page)
            assert_no_broken_words(page)


def send_record(page) -> str:
    """Tap send on the open form and wait for it to be sent; the record's id."""
    previous = page.locator("#send-status").get_attribute("data-last-id")
    page.click("#send")
    page.wait_for_function(
        f"(document.getElementById('send-status').getAttribute('data-last-id') || '') !== '{previous or ''}'")
    return page.locator("#send-status").get_attribute("data-last-id")


def wait_for_status(demo: DemoProcess, token: str, referral_id: int, status: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while (found := api(demo, f"/api/v1/referrals/{referral_id}", token)["status"]) != status:
        assert time.monotonic() < deadline, f"referral {referral_id} still {found}, not {status}"
        time.sleep(0.2)


def test_a_promise_at_the_door_is_kept_through_the_desk(demo, browser):
    # Phones and the office in the Netherlands: times typed are Amsterdam times.
    volunteer = browser.new_context(**PHONE, locale="tr-TR", timezone_id="Europe/Amsterdam").new_page()
    office = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL",
                                 timezone_id="Europe/Amsterdam").new_page()
    try:
        # At the door, in Turkish: the resident wants the energy coach to come back.
        field_login(volunteer, demo, "volunteer", lang="tr")
        volunteer.click("a.tile-rally")
        volunteer.wait_for_selector("#record-form[data-ready=true]")
        volunteer.select_option("#street", label="Smitsweg")
        volunteer.fill("#house_number", "141")
        volunteer.click("label.chip:has(input[name=outcome][value=talked])")
        volunteer.click("label.chip:has(input[name=referrals][value=energy_coach])")
        volunteer.click("label.chip:has(input[name=consent][value=yes])")
        record_id = send_record(volunteer)
        token = api(demo, "/api/v1/auth/token", body={"username": "volunteer", "password": PASSWORD})["token"]
        record = api(demo, f"/api/v1/records/{record_id}", token)
        assert record["language"] == "tr" and [r["code"] for r in record["referrals"]] == ["energy_coach"]
        referral_id = record["referrals"][0]["id"]

        # At the office: eas has it; the volunteer speaks Turkish and is suggested.
        office_login(office, demo, "coordinator")
        office.goto(f"{demo.url}/desk/referrals/{referral_id}?lang=nl")
        suggested = office.locator('#assign button[name=assignee][value="volunteer"]')
        assert suggested.count() == 1
        suggested.click()
        office.wait_for_load_state()
        assert_fits_screen(office)
        assert api(demo, f"/api/v1/referrals/{referral_id}", token)["assignee"] == "volunteer"

        # On the phone again: My follow-ups has it; the volunteer rings and makes an appointment.
        volunteer.goto(f"{demo.url}/field/followups")
        item = volunteer.locator(f'li.desk-card[data-referral="{referral_id}"]')
        item.wait_for()
        item.locator('button[data-step="scheduled"]').click()
        volunteer.wait_for_selector("#action[open]")
        volunteer.fill("#appointment-day", "2099-03-10")
        volunteer.fill("#appointment-time", "14:30")
        volunteer.click("label.chip:has(input[name=place][value=home])")
        volunteer.click("#action-save")
        volunteer.wait_for_selector("#action", state="hidden")
        wait_for_status(demo, token, referral_id, "scheduled")  # sent from the phone's outbox
        # The card for the resident, in Turkish, with the partner's number and no house number.
        volunteer.goto(f"{demo.url}/field/followups")
        item.locator(".desk-card__card-link").click()
        volunteer.wait_for_selector("#appointment-card:not([hidden])")
        card = volunteer.locator("#appointment-card")
        assert card.get_attribute("data-lang") == "tr"
        assert "Energie Actief Soest" in card.inner_text() and "141" not in card.inner_text()
        assert_fits_screen(volunteer)

        # The office sees it kept: the appointment on the referral's history.
        office.goto(f"{demo.url}/desk/referrals/{referral_id}?lang=nl")
        assert "14:30" in office.inner_text("main")
    finally:
        volunteer.context.close()
        office.context.close()


def revisit_doors(demo: DemoProcess, token: str) -> set[tuple[int, int, str | None]]:
    body = api(demo, "/api/v1/revisits", token)
    return {(street["street_id"], entry["house_number"], entry["house_addition"])
            for street in body["streets"] for entry in street["entries"]}


def test_a_taalcoach_goes_back_to_a_door_from_the_revisit_queue(demo, phone):
    """In Tigrinya on the phone: the queue by street, a door opened into a filled-in form, the
    conversation logged; the door leaves the queue."""
    page = phone
    token = api(demo, "/api/v1/auth/token", body={"username": "taalcoach", "password": PASSWORD})["token"]
    field_login(page, demo, "taalcoach", lang="ti")
    page.goto(f"{demo.url}/field/revisits")
    page.wait_for_selector(".revisit-street")
    assert_fits_screen(page)
    assert_no_broken_words(page)
    queued = revisit_doors(demo, token)
    assert queued, "the demo leaves doors on the queue"
    door = page.locator(".revisit-door").first
    with page.expect_navigation():
        door.locator("a").click()
    page.wait_for_selector("#record-form[data-ready=true]")
    street_id, number = int(page.input_value("#street")), int(page.input_value("#house_number"))
    addition = page.input_value("#house_addition") or None
    assert (street_id, number, addition) in queued
    language = page.locator("input[name=language]:checked").get_attribute("value")
    assert page.is_checked("#taalcoach_present")
    page.click("label.chip:has(input[name=outcome][value=talked])")
    record = api(demo, f"/api/v1/records/{send_record(page)}", token)
    assert (record["street_id"], record["house_number"], record["house_addition"]) == (street_id, number, addition)
    assert (record["language"], record["taalcoach_present"], record["outcome"]) == (language, True, "talked")
    assert (street_id, number, addition) not in revisit_doors(demo, token)


def test_a_community_evening_under_an_initiative_reaches_the_dashboard_and_the_session(demo, browser):
    from datetime import date, timedelta

    office = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL",
                                 timezone_id="Europe/Amsterdam").new_page()
    phone_page = browser.new_context(**PHONE, locale="ti-ER", timezone_id="Europe/Amsterdam").new_page()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    title = f"Ertrese avond {yesterday}"
    try:
        # At the office: a joint initiative of two partners, then the evening under it.
        office_login(office, demo, "coordinator")
        office.goto(f"{demo.url}/initiatives/new?lang=nl")
        office.fill("#i-title", title)
        office.check('input[name=partners][value="eas"]')
        office.check('input[name=partners][value="balans"]')
        office.select_option("#i-owner-partner", "balans")
        office.select_option("#i-owner", "taalcoach")
        office.select_option("#i-status", "running")
        office.click("form.initiative-form button[type=submit]")
        # The form's own URL (/initiatives/new?lang=nl) would match a glob: wait for the new one's.
        office.wait_for_url(re.compile(r"/initiatives/\d+(\?|$)"))
        initiative_url = office.url.split("?")[0]
        initiative_id = int(initiative_url.rstrip("/").rsplit("/", 1)[1])

        office.goto(f"{demo.url}/meetings/?lang=nl")
        office.select_option("#meeting-type", "residents_meeting")
        office.fill("#meeting-day", yesterday)
        office.fill("#meeting-time", "19:00")
        office.fill("#meeting-place", "Buurthuis De Smitskamp")
        office.check('label.chip:has(span:text-is("Smitsweg")) input[name=streets]')
        office.check('input[name=languages][value="ti"]')
        office.check('input[name=partners][value="balans"]')
        office.select_option("#m-initiative", str(initiative_id))
        office.click('form:has(#meeting-type) button[type=submit]')
        office.wait_for_url(re.compile(r"/meetings/[0-9a-f-]{36}(\?|$)"))  # not the list's /meetings/?lang=nl
        meeting_id = office.url.split("?")[0].rstrip("/").rsplit("/", 1)[1]
        assert title in office.inner_text("main")

        # At the evening, in Tigrinya: the taalcoach signs a resident up for the energy coach.
        field_login(phone_page, demo, "taalcoach", lang="ti")
        phone_page.goto(f"{demo.url}/field/meetings")
        choice = phone_page.locator(f'a.meeting-choice[data-meeting="{meeting_id}"]')
        assert "De Smitskamp" in choice.inner_text()
        choice.click()
        phone_page.wait_for_selector("#record-form[data-ready=true]")
        assert "De Smitskamp" in phone_page.inner_text("#meeting-name")
        phone_page.select_option("#street", label="Smitsweg")
        phone_page.click("label.chip:has(input[name=language][value=ti])")
        phone_page.click("label.chip:has(input[name=referrals][value=energy_coach])")
        phone_page.click("label.chip:has(input[name=consent][value=yes])")
        phone_page.click("label.chip:has(input[name=ownership][value=language_helper])")
        phone_page.select_option("#initiative", str(initiative_id))
        assert_fits_screen(phone_page)
        assert_no_leftover_text(phone_page, catalog(demo, "nl"), catalog(demo, "ti"))
        record_id = send_record(phone_page)
        token = api(demo, "/api/v1/auth/token", body={"username": "taalcoach", "password": PASSWORD})["token"]
        record = api(demo, f"/api/v1/records/{record_id}", token)
        assert (record["channel"], record["meeting"], record["initiative"], record["ownership"]) == (
            "event", meeting_id, initiative_id, ["language_helper"])

        # The next morning: the head count goes in, 38 came, 30 of them spoke Tigrinya.
        meetings_page = f"{demo.url}/dashboard/meetings?from={yesterday}&to={yesterday}&lang=nl"

        def people_at_meetings() -> int:
            office.goto(meetings_page)
            return int(office.inner_text("#meetings-head-count").replace(".", "").strip())

        before = people_at_meetings()
        office.goto(f"{demo.url}/meetings/{meeting_id}?lang=nl")
        office.fill("#head-count", "38")
        office.fill('input[name="lang-ti"]', "30")
        office.click("form:has(#head-count) button[type=submit]")
        office.wait_for_load_state()
        assert people_at_meetings() == before + 38
        ti_row = office.locator('#reach-table tr[data-language="ti"]')
        assert "30" in ti_row.inner_text()

        # The initiative counts the evening and the sign-up; a progress note for the session.
        office.goto(f"{initiative_url}?lang=nl")
        figures = office.inner_text("#figures")
        assert "38" in figures
        office.fill("#n-text", "Avond gehouden, 38 mensen; energiecoach volgt op.")
        office.click('form:has(#n-text) button[type=submit]')
        office.wait_for_load_state()
        office.goto(f"{demo.url}/initiatives/overview?since={yesterday}&lang=nl")
        moved = office.inner_text("#moved")
        assert title in moved and "38 mensen" in moved
        initiative = api(demo, f"/api/v1/initiatives/{initiative_id}", token)["figures"]
        assert (initiative["meetings"], initiative["meeting_head_count"], initiative["records"]) == (1, 38, 1)
        assert_fits_screen(office)
    finally:
        office.context.close()
        phone_page.context.close()
