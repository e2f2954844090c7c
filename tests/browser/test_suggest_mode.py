"""Suggest mode in Chromium (issue 18): a taalcoach who speaks Tigrinya marks the strings, taps
one, sees the source, the current wording and the glossary entry; a broken placeholder is refused
in Tigrinya before anything is sent; a good wording is sent, an admin accepts it, and the next
screen shows it. The screen fits 360 and 1280 px, with no serious axe finding."""
from __future__ import annotations

from babel.support import Translations
from sqlalchemy import select

from .conftest import serious_axe_violations, signed_in, wider_than_viewport


def _speaks_tigrinya(app, world, username: str = "coach") -> None:
    from fieldapp.accounts.models import User
    from fieldapp.db import get_session

    with app.app_context():
        session = get_session()
        session.get(User, world.users[username]).spoken_languages = ["nl", "ti"]
        session.commit()


def _ti(app, msgid: str) -> str:
    return Translations.load(app.config["BABEL_TRANSLATION_DIRECTORIES"], ["ti"]).gettext(msgid)


def _suggestions(app):
    from fieldapp.db import get_session
    from fieldapp.translations_review.models import Suggestion

    with app.app_context():
        return [(s.id, s.locale, s.msgid, s.forms) for s in get_session().scalars(select(Suggestion))]


def _open_sheet(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_selector("#suggest-sheet[open]")


def _check_layout(page) -> None:
    assert wider_than_viewport(page) == []
    assert serious_axe_violations(page) == []


def test_suggest_accept_and_see_it_on_the_next_screen(live_server, page_360, browser):
    app, world, page = live_server.app, live_server.world, page_360
    _speaks_tigrinya(app, world)
    signed_in(page, live_server, "coach")
    page.goto(f"{live_server.url}/field/?lang=ti")
    page.wait_for_selector("#suggest-toggle")
    assert page.get_attribute("#suggest-toggle", "aria-pressed") == "false"
    page.click("#suggest-toggle")
    assert page.get_attribute("#suggest-toggle", "aria-pressed") == "true"
    _check_layout(page)  # every string marked

    # A project word: the glossary entry is shown.
    _open_sheet(page, "main [data-i18n='Bakfietsrally contact']")
    assert page.text_content(".suggest-source") == "Bakfietsrally contact"
    assert "bakfietsrally → bakfietsrally" in page.text_content(".suggest-glossary")
    page.click("#suggest-cancel")

    _open_sheet(page, "#new-heading")  # a tap opens the sheet instead of doing what it would
    assert page.text_content(".suggest-source") == "New record"
    assert page.text_content(".suggest-current") == _ti(app, "New record")
    assert page.is_hidden(".suggest-glossary")
    _check_layout(page)
    # A placeholder the original does not have: refused here, in Tigrinya, and nothing is sent.
    page.fill("#suggest-wording", "ሓድሽ %(count)d")
    page.click("#suggest-send")
    assert page.text_content("#suggest-error") == _ti(app, "The original has no placeholders: leave them out.")
    assert page.get_attribute("#suggest-wording", "aria-invalid") == "true"
    assert _suggestions(app) == []

    page.fill("#suggest-wording", "ሓድሽ ጸብጻብ")
    page.click("#suggest-send")
    page.wait_for_selector("#suggest-status[data-result=sent]")
    assert page.text_content("#suggest-status") == _ti(app, "Thank you: your suggestion is waiting for review.")
    [(sid, locale, msgid, forms)] = _suggestions(app)
    assert (locale, msgid, forms) == ("ti", "New record", ["ሓድሽ ጸብጻብ"])

    token = live_server.token("adm")["token"]
    response = app.test_client().post(f"/api/v1/translations/suggestions/{sid}/review", json={"decision": "accept"},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()

    # The next screen, through the page's service worker if it has taken over by now.
    page.goto(f"{live_server.url}/field/revisits?lang=ti")
    page.goto(f"{live_server.url}/field/?lang=ti")
    page.wait_for_function("document.querySelector('#new-heading').textContent === 'ሓድሽ ጸብጻብ'")
    # Other languages keep their own wording.
    page.click("a[data-locale=so]")
    page.wait_for_function("document.documentElement.lang === 'so'")
    assert page.text_content("#new-heading") != "ሓድሽ ጸብጻብ"

    # 1280 px: the same sheet on a wide screen.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    wide = context.new_page()
    signed_in(wide, live_server, "coach")
    wide.goto(f"{live_server.url}/field/?lang=ti")
    wide.wait_for_selector("#suggest-toggle")
    wide.click("#suggest-toggle")
    _open_sheet(wide, "#new-heading")
    assert wide.text_content(".suggest-current") == "ሓድሽ ጸብጻብ"
    _check_layout(wide)
    context.close()


def test_no_toggle_for_those_who_do_not_suggest(live_server, page_360):
    app, world, page = live_server.app, live_server.world, page_360
    _speaks_tigrinya(app, world, "vol")  # a volunteer who speaks it: volunteers do not suggest
    signed_in(page, live_server, "vol")
    page.goto(f"{live_server.url}/field/?lang=ti")
    page.evaluate("async () => (await import('/static/js/suggest.js')).ready")
    assert page.locator("#suggest-toggle").count() == 0
    page.click("#new-heading")
    assert page.locator("#suggest-sheet").count() == 0
    assert _suggestions(app) == []
