"""The admins' review of suggested wordings and the shares' screen (issue 18) at 360 and 1280 px,
in Dutch and Tigrinya: nothing wider than the screen, no word broken inside, no serious axe
finding; accepting in the browser puts the wording to use at once."""
from __future__ import annotations

import uuid

import pytest

from conftest import session_client

from .conftest import serious_axe_violations
from .layout_checks import assert_fits_screen, assert_no_broken_words

SIZES = {360: {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
         1280: {"viewport": {"width": 1280, "height": 800}}}


def _suggest(app, world, msgid: str, wording: str, comment: str | None = None) -> str:
    from fieldapp.db import get_session
    from fieldapp.timeutil import utcnow
    from fieldapp.translations_review.models import OPEN, Suggestion

    sid = uuid.uuid4()
    with app.app_context():
        session = get_session()
        session.add(Suggestion(id=sid, locale="ti", msgid=msgid, forms=[wording], comment=comment,
                               suggested_by_id=world.users["coach"], suggested_at=utcnow(),
                               fingerprint="0" * 64, status=OPEN))
        session.commit()
    return str(sid)


@pytest.mark.parametrize("width", [360, 1280])
def test_review_and_share_screens(live_server, browser, width):
    app, world = live_server.app, live_server.world
    sid = _suggest(app, world, "Bakfietsrally contact", "ርክብ bakfietsrally", comment="ሓጺር ይሓይሽ")
    _suggest(app, world, "Send now", "ሕጂ ስደድ")
    context = browser.new_context(**SIZES[width])
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    context.add_cookies([{"name": name, "value": session_client(app, world.users["adm"]).get_cookie(name).value,
                          "url": live_server.url}])
    page = context.new_page()
    try:
        for lang in ("nl", "ti"):
            page.goto(f"{live_server.url}/translations/review?locale=ti&lang={lang}")
            assert page.locator("#waiting .suggestion").count() == 2
            assert "bakfietsrally → bakfietsrally" in page.text_content(f"[data-id='{sid}']")
            assert_fits_screen(page)
            assert_no_broken_words(page)
            assert serious_axe_violations(page) == []
            page.goto(f"{live_server.url}/translations/?lang={lang}")
            assert page.locator("#translation-shares tbody tr").count() == 4
            assert_fits_screen(page)
            assert_no_broken_words(page)
            assert serious_axe_violations(page) == []
        page.goto(f"{live_server.url}/translations/review?locale=ti&lang=nl")
        item = page.locator(f"[data-id='{sid}']")
        item.locator("input[name=note]").fill("Goed")
        item.locator("button[value=accept]").click()
        page.wait_for_selector(".flash-success")
        assert page.locator("#waiting .suggestion").count() == 1
        assert page.locator(f"#decided [data-id='{sid}'][data-status=accepted]").count() == 1
        # At once: the server's Tigrinya has the new wording.
        page.goto(f"{live_server.url}/translations/review?locale=ti&lang=ti")
        assert page.text_content(f"#decided [data-id='{sid}']").count("ርክብ bakfietsrally") >= 1
        assert page.evaluate("fetch('/field/i18n/ti.json').then(r => r.json()).then(c => c.messages['Bakfietsrally contact'])") \
            == "ርክብ bakfietsrally"
    finally:
        context.close()
