"""The worker keeps the field pages as the first visit rendered them (here: Dutch). A volunteer
who works in Turkish, Tigrinya or Somali must still get a form whose conversation language is
theirs, and a resident card in their language.
"""
from __future__ import annotations

import pytest

from .conftest import signed_in
from .leftovers import fetch_catalog, switch_to
from .offline_support import wait_for_worker

WORKING_IN = ("tr", "ti", "so")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(30000)
    page = context.new_page()
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/field/")  # the first visit, in Dutch: the worker keeps these pages
    wait_for_worker(page)
    yield page
    context.close()


def open_from_cache(page, url: str, code: str) -> None:
    response = page.goto(url)
    assert response.from_service_worker, f"{url} did not come from the worker's cache"
    page.wait_for_function("c => document.documentElement.lang === c", arg=code)


def conversation_language(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('input[name=language]:checked')].map(i => i.value)")


def test_a_new_form_preselects_the_interface_language(live_server, page):
    for code in WORKING_IN:
        switch_to(page, code)
        for channel in ("rally", "klus", "loket", "visit"):
            open_from_cache(page, f"{live_server.url}/field/forms/{channel}", code)
            page.wait_for_selector('#record-form[data-ready="true"]')
            assert conversation_language(page) == [code], (code, channel)
        page.goto(f"{live_server.url}/field/")


def test_a_switch_mid_form_moves_the_language_along_unless_chosen_by_hand(live_server, page):
    world = live_server.world
    switch_to(page, "tr")
    open_from_cache(page, f"{live_server.url}/field/forms/rally", "tr")
    page.wait_for_selector('#record-form[data-ready="true"]')
    assert conversation_language(page) == ["tr"]
    switch_to(page, "so")
    assert conversation_language(page) == ["so"]
    switch_to(page, "ti")
    assert conversation_language(page) == ["ti"]

    # The volunteer taps the resident's language: a switch of the interface leaves it alone.
    page.click("label.chip:has(input[name=language][value=ar])")
    switch_to(page, "nl")
    assert conversation_language(page) == ["ar"]
    # A tap on the language that was already preselected is a choice too.
    page.goto(f"{live_server.url}/field/forms/visit")
    page.wait_for_selector('#record-form[data-ready="true"]')
    assert conversation_language(page) == ["nl"]
    page.click("label.chip:has(input[name=language][value=nl])")
    switch_to(page, "tr")
    assert conversation_language(page) == ["nl"]

    # After a record in Arabic the next form still starts from the interface's language.
    page.goto(f"{live_server.url}/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    page.select_option("#street", str(world.streets["Koningsweg"]))
    page.click("label.chip:has(input[name=outcome][value=talked])")
    page.click("label.chip:has(input[name=language][value=ar])")
    record_id = page.get_attribute("#record-form", "data-record-id")
    page.click("#send")
    page.wait_for_selector(f"#send-status[data-last-id='{record_id}']")
    page.goto(f"{live_server.url}/field/forms/rally")
    page.wait_for_selector('#record-form[data-ready="true"]')
    assert conversation_language(page) == ["tr"]


def test_the_resident_card_from_the_home_screen_is_in_the_volunteers_language(live_server, page):
    title = "Hello! We are volunteers from your neighbourhood."
    card = page.locator(".card-page .resident-card")
    for code in WORKING_IN:
        catalog = fetch_catalog(page, code)
        switch_to(page, code)
        open_from_cache(page, f"{live_server.url}/field/", code)
        page.click("a.tile-card")
        page.wait_for_function("c => document.documentElement.lang === c", arg=code)
        page.wait_for_function("c => document.querySelector('.card-page .resident-card').lang === c", arg=code)
        assert card.locator(".card-title").inner_text() == catalog["messages"][title]
        assert page.locator("[data-card-lang][aria-pressed=true]").get_attribute("data-card-lang") == code
        assert page.locator(".skip-link").text_content() == catalog["messages"]["Skip to content"]

    # Nobody chose the resident's language yet: the card follows the interface ...
    switch_to(page, "tr")
    page.wait_for_function("document.querySelector('.card-page .resident-card').lang === 'tr'")
    # ... until the resident's language is tapped on the card.
    page.click("[data-card-lang=ti]")
    page.wait_for_function("document.querySelector('.card-page .resident-card').lang === 'ti'")
    switch_to(page, "so")
    assert card.get_attribute("lang") == "ti"
    assert page.locator("[data-card-lang][aria-pressed=true]").get_attribute("data-card-lang") == "ti"
