"""Every field screen in every locale at 360×740: a screenshot, nothing wider than the phone, axe clean."""
from __future__ import annotations

import pytest

from fieldapp.i18n import TRANSLATED

from .conftest import serious_axe_violations, signed_in, wider_than_viewport
from .artifacts import keep_screenshot

SCREENS = {
    "login": ("/field/login", False),
    "home": ("/field/", True),
    "card": ("/field/card", False),
    "rally": ("/field/forms/rally", True),
    "klus": ("/field/forms/klus", True),
    "loket": ("/field/forms/loket", True),
    "visit": ("/field/forms/visit", True),
    "event": ("/field/forms/event", True),
    "meetings": ("/field/meetings", True),
}


@pytest.fixture
def layout_only_once(request):
    # Layout and accessibility do not depend on the database: spare CI's two cores the second run.
    # (Asked for before live_server, so the skip comes before any database is prepared.)
    if request.node.callspec.params.get("database_url") == "postgresql":
        pytest.skip("screens are checked on SQLite; the PostgreSQL run covers the data flows")


@pytest.mark.parametrize("screen", SCREENS)
def test_screen_in_every_locale(layout_only_once, live_server, page_360, artifacts_dir, screen):
    path, needs_session = SCREENS[screen]
    page = page_360
    if needs_session:
        signed_in(page, live_server)
    problems = {}
    for code in TRANSLATED:
        page.goto(f"{live_server.url}{path}?lang={code}")
        # Not "networkidle": the service worker precaches the app shell in the background, so the
        # network is not idle for a while; the page says itself when it is drawn.
        page.wait_for_load_state("load")
        page.wait_for_function(f"document.documentElement.lang === '{code}' && document.fonts.status === 'loaded'")
        if path.startswith("/field/forms/"):
            page.wait_for_selector('#record-form[data-ready="true"]')
        assert page.evaluate("document.documentElement.lang") == code
        assert page.evaluate("document.documentElement.dir") == "ltr"
        assert page.url.split("?")[0].endswith(path), f"{screen}: redirected to {page.url}"
        keep_screenshot(page, artifacts_dir / f"field-{screen}-{code}.png", full_page=True)
        wide = wider_than_viewport(page)
        violations = serious_axe_violations(page)
        if wide or violations:
            problems[code] = {"wider than 360 px": wide, "axe": violations}
    assert problems == {}


def test_resident_card_overlay(layout_only_once, live_server, page_360, artifacts_dir):
    """The card over a form: full screen, the resident's language, axe clean, nothing too wide."""
    page = page_360
    signed_in(page, live_server)
    page.goto(f"{live_server.url}/field/forms/rally?lang=nl")
    page.wait_for_selector("#record-form[data-ready=true]")
    page.click("label.chip:has(input[name=language][value=ti])")
    page.click("label.chip:has(input[name=referrals][value=energy_coach])")
    page.click("#show-card")
    page.wait_for_function("document.querySelector('#card-overlay .resident-card').lang === 'ti'")
    page.wait_for_function("document.fonts.status === 'loaded'")
    keep_screenshot(page, artifacts_dir / "field-card-overlay-ti.png")
    assert wider_than_viewport(page) == []
    assert serious_axe_violations(page) == []
    assert page.evaluate("document.activeElement.id") == "close-card"
