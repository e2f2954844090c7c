"""The appointment card: half a page for the resident, in their language (nl, tr, ti, so) whatever
the volunteer's, with day, time, place, who comes and what they do, that the help is free and
independent, and the organisation's phone number; never a name or a house number. Printed, the
app around it disappears and the card fits one A5 page. It opens offline from the kept list.
"""
from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path

import pytest
from babel.dates import format_date, format_time

sys.path.insert(0, str(Path(__file__).parent))
from offline_support import open_field, open_profile, prepare_online  # noqa: E402

from conftest import PASSWORD  # noqa: E402

from .leftovers import DEFAULT_EXEMPT, fetch_catalog, switch_to  # noqa: E402
from .screen_round import ARTIFACTS, LOCALES, every_language_and_width  # noqa: E402
from .test_field_followups import EAS_PHONE, Desk, give_phone  # noqa: E402
from .artifacts import keep_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium"),
]

APPOINTMENT = "2026-12-09T14:30:00+01:00"  # a Wednesday, in Amsterdam
CHROME = (".topbar", "#outbox-status", ".appointment-tools", ".skip-link")


@pytest.fixture
def context(pw, tmp_path):
    ctx = open_profile(pw, tmp_path / "chromium-profile")
    yield ctx
    ctx.close()


@pytest.fixture
def scheduled(app, db, world):
    """Two appointments of Energie Actief Soest with Stichting Balans going along: a Tigrinya
    speaker at home (Koningsweg 12-B) and an Arabic speaker at the energieloket."""
    give_phone(db)
    desk = Desk(app, world)
    ids = {
        "ti": desk.referral("Koningsweg", 12, "2026-11-25T10:00:00+01:00", "ti", addition="B"),
        "ar": desk.referral("Weegbreestraat", 5, "2026-11-26T10:00:00+01:00", "ar"),
    }
    for referral_id, place in ((ids["ti"], "home"), (ids["ar"], "loket")):
        desk.assign(referral_id)
        assert desk.event(referral_id, {"type": "scheduled", "appointment_at": APPOINTMENT, "place": place,
                                        "with_partner": "balans"}) == 201
    return ids


def text_in(catalog: dict, msgid: str, **params) -> str:
    """What the card shows for msgid in the catalog's language (the msgid until it is translated)."""
    text = catalog["messages"].get(msgid) or msgid
    for name, value in params.items():
        text = text.replace(f"%({name})s", str(value))
    return text


def open_card(page, server, referral_id: int) -> None:
    open_field(page, server, f"/field/appointment?referral={referral_id}")
    page.wait_for_selector('main[data-ready="true"]')
    page.wait_for_selector("#appointment-card:not([hidden])")


def card_in(page, code: str) -> None:
    page.click(f'[data-card-lang="{code}"]')
    page.wait_for_function("c => document.querySelector('#appointment-card').dataset.lang === c", arg=code)


def pdf_pages(page) -> int:
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_the_card_in_each_resident_language_printed_on_half_a_page(server, context, scheduled, app):
    from fieldapp.codes import PARTNER_ROLES
    from fieldapp.field.forms import msgid_of

    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/followups")
    page.click(f'li.desk-card[data-referral="{scheduled["ti"]}"] .desk-card__card-link')
    page.wait_for_selector("#appointment-card:not([hidden])")
    # The resident's language by default: the record's conversation language, Tigrinya.
    page.wait_for_function("document.querySelector('#appointment-card').dataset.lang === 'ti'")
    catalogs = {code: fetch_catalog(page, code) for code in LOCALES}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for code in LOCALES:
        card_in(page, code)
        catalog = catalogs[code]
        text = page.inner_text("#appointment-card")
        assert page.inner_text("#appointment-day") == format_date(date(2026, 12, 9), "full", locale=code)
        assert page.inner_text("#appointment-time") == format_time(time(14, 30), "short", locale=code)
        assert page.inner_text("#appointment-place") == text_in(catalog, "At your home")
        for name, partner in (("Energie Actief Soest", "eas"), ("Stichting Balans", "balans")):
            assert name in text
            assert text_in(catalog, msgid_of(PARTNER_ROLES[partner])) in text
        assert text_in(catalog, "Our help is free and independent.") in text
        assert page.inner_text("#appointment-phone").replace("\u00a0", " ") == text_in(
            catalog, "Questions, or does this time not suit you? Call %(organisation)s: %(phone)s",
            organisation="Energie Actief Soest", phone=EAS_PHONE)
        assert "12" not in text and "Koningsweg" not in text  # no address on a card the resident keeps
        assert page.get_attribute("#appointment-card", "lang") == code
        assert page.evaluate("document.documentElement.lang") == "nl"  # the volunteer's stays

        page.emulate_media(media="print")
        hidden = page.evaluate("sels => sels.map(s => [...document.querySelectorAll(s)]"
                               ".every(e => getComputedStyle(e).display === 'none'))", list(CHROME))
        assert all(hidden), dict(zip(CHROME, hidden))
        assert page.is_visible("#appointment-card")
        assert pdf_pages(page) == 1  # A5: half an A4 sheet
        keep_screenshot(page, ARTIFACTS / f"appointment-print-{code}.png", full_page=True)
        page.emulate_media(media="screen")


def test_a_language_other_than_the_four_starts_in_the_volunteers_and_works_offline(server, context, scheduled):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/followups?lang=tr")
    page.wait_for_selector(f'li.desk-card[data-referral="{scheduled["ar"]}"] .desk-card__card-link')
    server.stop()  # from here on: the kept list and the worker's pages
    open_card(page, server, scheduled["ar"])
    assert page.get_attribute("#appointment-card", "data-lang") == "tr"
    switch_to(page, "so")  # not chosen yet: it follows the volunteer's language
    page.wait_for_function("document.querySelector('#appointment-card').dataset.lang === 'so'")
    card_in(page, "nl")  # chosen: it stays
    switch_to(page, "ti")
    assert page.get_attribute("#appointment-card", "data-lang") == "nl"
    assert page.inner_text("#appointment-day") == format_date(date(2026, 12, 9), "full", locale="nl")
    assert EAS_PHONE in page.inner_text("#appointment-card").replace("\u00a0", " ")

    open_field(page, server, "/field/appointment?referral=999999")  # not on this phone: said so, no card
    page.wait_for_selector('main[data-ready="true"]')
    assert page.is_visible("#appointment-problem") and not page.is_visible("#appointment-card")


@pytest.fixture
def layout_only_once(request):
    if request.node.callspec.params.get("database_url") == "postgresql":
        pytest.skip("screens are checked on SQLite; the PostgreSQL run covers the data flows")


def test_appointment_screen_in_every_locale_and_width(layout_only_once, server, context, scheduled):
    page = context.new_page()
    prepare_online(page, server, PASSWORD)
    open_field(page, server, "/field/followups")
    page.wait_for_selector(f'li.desk-card[data-referral="{scheduled["ti"]}"] .desk-card__card-link')
    open_card(page, server, scheduled["ti"])
    # The card is meant to stay in the resident's language (Tigrinya) whatever the screen's.
    problems = every_language_and_width(page, "appointment", exempt=f"{DEFAULT_EXEMPT}, #appointment-card",
                                        in_each_language=lambda code: _still_tigrinya(page))
    assert problems == {}


def _still_tigrinya(page) -> list:
    assert page.get_attribute("#appointment-card", "data-lang") == "ti"
    return []
