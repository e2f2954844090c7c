"""The public neighbourhood page in Chromium: at 360 px in each language nothing sticks out and
axe finds nothing serious; printed, it is one A4 poster per language without the app's bars."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import serious_axe_violations, wider_than_viewport
from .artifacts import keep_screenshot

LOCALES = ("nl", "tr", "ti", "so")
CHROME = (".topbar", ".languages", ".skip-link")


@pytest.fixture
def filled(app, db, dashboard_world, monkeypatch):
    """The dashboard's neighbourhood with the loket's hours, two meetings (one with a long place)
    and savings answered by a stand-in for the savings package."""
    from fieldapp import hooks
    from fieldapp.meetings.models import Meeting
    from fieldapp.public import cache
    from fieldapp.public.models import LoketHours
    from fieldapp.timeutil import amsterdam_day

    w = dashboard_world.world
    db.add(LoketHours(neighbourhood_id=w.hood_id, place="Smitshof, begane grond van de flat aan het plein",
                      hours=[{"weekday": 1, "opens": "10:00", "closes": "12:00"},
                             {"weekday": 3, "opens": "14:00", "closes": "16:30"}]))
    now = datetime.now(timezone.utc)
    for days, kind, place in ((4, "energy_party", "Buurthuis De Linde, grote zaal op de eerste verdieping"),
                              (12, "owners_evening", "Smitshof")):
        starts = now + timedelta(days=days)
        db.add(Meeting(id=uuid.uuid4(), neighbourhood_id=w.hood_id, type=kind, starts_at=starts,
                       start_day=amsterdam_day(starts), place=place, languages=["nl"], partners=["eas"],
                       recorded_by_id=w.users["coord"], fingerprint="m" * 64))
    db.commit()
    monkeypatch.setitem(hooks._listeners, hooks.NEIGHBOURHOOD_SAVINGS,
                        [lambda _session, **_facts: {"low": 12340.0, "default": 25000.0, "high": 61870.0}])
    cache.clear()
    return dashboard_world


def pdf_pages(page) -> tuple[int, bytes]:
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"), pdf


@pytest.mark.parametrize("lang", LOCALES)
def test_page_at_360_px_and_as_a_poster(live_server, page_360, filled, artifacts_dir, lang):
    page = page_360
    response = page.goto(f"{live_server.url}/buurt/smitsveen?lang={lang}")
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == lang
    for block in ("savings", "meetings", "loket"):
        assert page.is_visible(f'[data-block="{block}"]'), block
    assert page.is_visible(f'.languages a[data-locale="{lang}"][aria-current="true"]')
    assert wider_than_viewport(page) == []
    assert serious_axe_violations(page) == []
    text = page.inner_text("main")
    assert not re.search(r"(Smitsplein|Koningsweg|Weegbreestraat)", text)  # no street below 10 homes
    keep_screenshot(page, artifacts_dir / f"public-page-360-{lang}.png", full_page=True)

    page.emulate_media(media="print")
    hidden = page.evaluate("sels => sels.map(s => [...document.querySelectorAll(s)]"
                           ".every(e => getComputedStyle(e).display === 'none'))", list(CHROME))
    assert all(hidden), dict(zip(CHROME, hidden))
    assert page.is_visible('[data-figure="homes_helped"]') and page.is_visible('[data-block="loket"]')
    keep_screenshot(page, artifacts_dir / f"public-page-print-{lang}.png", full_page=True)
    pages, pdf = pdf_pages(page)
    (artifacts_dir / f"public-page-{lang}.pdf").write_bytes(pdf)
    assert pages == 1
    assert re.search(rb"/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]", pdf), "not A4"
    page.emulate_media(media="screen")
    # The switch on the page goes to another language and stays on the page.
    other = LOCALES[(LOCALES.index(lang) + 1) % len(LOCALES)]
    page.click(f'.languages a[data-locale="{other}"]')
    page.wait_for_function("c => document.documentElement.lang === c", arg=other)
    assert page.url.startswith(f"{live_server.url}/buurt/smitsveen")
