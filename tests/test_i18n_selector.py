"""The one locale selector: explicit choice → user setting → Accept-Language → Dutch; lang and dir right."""
from __future__ import annotations

import re

import pytest

from fieldapp.i18n import LOCALES


def html_lang(response) -> tuple[str, str]:
    match = re.search(rb'<html lang="([^"]+)" dir="([^"]+)"', response.data)
    assert match, response.data[:300]
    return match.group(1).decode(), match.group(2).decode()


def set_locale(db, user_id, code):
    from fieldapp.accounts.models import User

    db.get(User, user_id).locale = code
    db.commit()


def test_default_is_dutch(app):
    response = app.test_client().get("/field/login")
    assert html_lang(response) == ("nl", "ltr")
    assert "Inloggen" in response.get_data(as_text=True)


def test_accept_language_is_used_when_nothing_else_says(app):
    response = app.test_client().get("/field/login", headers={"Accept-Language": "so, en;q=0.5"})
    assert html_lang(response)[0] == "so"
    assert "Magaca isticmaalaha" in response.get_data(as_text=True)


def test_user_setting_beats_accept_language(app, world, db, login):
    set_locale(db, world.users["vol"], "ti")
    api = login("vol", "tr")
    assert html_lang(api.get("/field/login"))[0] == "ti"


def test_cookie_beats_user_setting_and_query_beats_cookie(app, world, db, login):
    set_locale(db, world.users["vol"], "ti")
    api = login("vol", "tr")
    api.client.set_cookie("lang", "so")
    assert html_lang(api.get("/field/login"))[0] == "so"
    response = api.get("/field/login?lang=tr")
    assert html_lang(response)[0] == "tr"
    # An explicit choice is remembered for the next screens.
    assert "lang=tr" in response.headers.get("Set-Cookie", "")
    assert html_lang(api.get("/field/card"))[0] == "tr"


def test_unknown_choice_falls_through(app):
    client = app.test_client()
    client.set_cookie("lang", "xx")
    assert html_lang(client.get("/field/login?lang=zz", headers={"Accept-Language": "tr"}))[0] == "tr"


def test_switcher_shows_endonyms_in_their_own_language_on_every_page(app):
    client = app.test_client()
    for url in ("/field/", "/field/login", "/field/card", "/field/forms/klus"):
        page = client.get(url + "?lang=ti").get_data(as_text=True)
        for loc in LOCALES:
            assert f'lang="{loc.code}" hreflang="{loc.code}" data-locale="{loc.code}"' in page
            assert f">{loc.endonym}</a>" in page
        assert re.search(r'data-locale="ti"\s+aria-current="true"', page)
        assert len(re.findall(r'aria-current="true"', page)) == 1


@pytest.mark.parametrize("code, expected", [
    ("nl", "23 november 2026"), ("tr", "23 Kasım 2026"), ("so", "2026"), ("ti", "2026"),
])
def test_dates_are_formatted_by_babel_for_the_locale(app, code, expected):
    client = app.test_client()
    page = client.get(f"/field/card?lang={code}").get_data(as_text=True)
    meta = client.get(f"/field/i18n/{code}.json").get_json()["meta"]
    assert expected in meta["card_date"]
    assert f'data-i18n-meta="card_date">{meta["card_date"]}<' in page
    if code in ("so", "ti"):
        # Not the Dutch or English month: the locale's own (CLDR) name.
        assert "november" not in meta["card_date"].lower()
