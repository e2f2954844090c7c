"""The coverage map in Chromium: streets drawn and named, popups inside the map, the legend
beside it, numbers as the page's language writes them, nothing fetched from elsewhere."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from conftest import session_client

from .layout_checks import assert_fits_screen, assert_no_broken_words
from .artifacts import keep_screenshot

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESK = {"viewport": {"width": 1280, "height": 800}}


@contextmanager
def serving(app):
    # The policy the app will run under: the map must work with it.
    @app.after_request
    def csp(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app, dashboard_world):
    with serving(app) as url:
        yield url


@pytest.fixture
def demo_server(app, demo_db):
    """The 25-street demo Smitsveen: (url, coordinator id)."""
    from sqlalchemy import select

    from fieldapp.accounts.models import User

    coordinator = demo_db.scalar(select(User.id).where(User.username == "coordinator"))
    with serving(app) as url:
        yield url, coordinator


@contextmanager
def signed_in_page(browser, app, url, user_id, **context_options):
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookie = session_client(app, user_id).get_cookie(cookie_name).value
    context = browser.new_context(**context_options)
    context.add_cookies([{"name": cookie_name, "value": cookie, "url": url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors include CSP violations; the favicon (not ours) may be missing.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    try:
        yield page, errors
    finally:
        context.close()


def open_map(page, url, query="", streets=None):
    page.goto(f"{url}/dashboard/map?{query}")
    selector = f"#map[data-loaded='{streets}']" if streets else "#map[data-loaded]"
    page.wait_for_selector(selector, timeout=15000)


LABELS_JS = """() => {
    const map = document.getElementById('map').getBoundingClientRect();
    return [...document.querySelectorAll('#map .street-label')].map((el) => {
        const r = el.getBoundingClientRect();
        return {
            text: el.innerText.trim(), hidden: el.classList.contains('label-hidden'),
            short: el.classList.contains('label-short'),
            inside: r.left >= map.left && r.right <= map.right && r.top >= map.top && r.bottom <= map.bottom,
            box: [r.left, r.top, r.right, r.bottom],
        };
    });
}"""


def overlapping(labels) -> list:
    shown = [label for label in labels if not label["hidden"]]
    return [(a["text"], b["text"]) for i, a in enumerate(shown) for b in shown[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2] and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]]


def assert_popup_inside_map(page):
    page.locator(".leaflet-popup-content").last.wait_for(timeout=5000)
    # autoPan moves the map after the popup opens: measure once the map has settled.
    page.wait_for_function("""() => {
        const m = document.getElementById('map').getBoundingClientRect();
        return [...document.querySelectorAll('.leaflet-popup')].every((el) => {
            const p = el.getBoundingClientRect();
            return p.top >= m.top - 1 && p.bottom <= m.bottom + 1 && p.left >= m.left - 1 && p.right <= m.right + 1;
        });
    }""", timeout=5000)


def test_map_draws_streets_offline(app, live_server, dashboard_world, browser):
    requests = []
    with signed_in_page(browser, app, live_server, dashboard_world.world.users["coord"], **DESK) as (page, errors):
        page.on("request", lambda request: requests.append(request.url))
        open_map(page, live_server, "from=2026-03-01&to=2026-03-31&lang=en", streets=3)
        paths = page.locator("#map svg path.street")
        assert paths.count() == 3  # Smitsplein's line and two streets drawn at their centroid
        assert page.locator("#map svg path.band-4").count() == 2  # Koningsweg, Smitsplein: 100 %
        assert page.locator("#map svg path.band-3").count() == 1  # Weegbreestraat: 75 % (3 of 4 households)
        legend = page.locator("#map-legend")
        assert legend.is_visible() and "80%–100%" in legend.inner_text()
        # Every street named on the map, without tapping it; and in the numbered list beside it.
        labels = page.evaluate(LABELS_JS)
        assert sorted(label["text"] for label in labels) == ["1Koningsweg", "2Smitsplein", "3Weegbreestraat"]
        assert all(not label["hidden"] and not label["short"] and label["inside"] for label in labels), labels
        assert page.locator("#map-list li").all_inner_texts()[0].split() == ["1", "Koningsweg", "100%"]
        paths.first.click(force=True)
        assert_popup_inside_map(page)
        assert "Households" in page.locator(".leaflet-popup-content").inner_text()
        assert errors == []
    assert requests and all(url.startswith(live_server) for url in requests), requests


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["360", "1280"])
def test_map_names_every_street_and_keeps_popups_inside(app, demo_server, browser, artifacts_dir, size):
    url, coordinator = demo_server
    width = size["viewport"]["width"]
    with signed_in_page(browser, app, url, coordinator, **size) as (page, errors):
        open_map(page, url, "lang=nl", streets=25)
        labels = page.evaluate(LABELS_JS)
        assert len(labels) == 25
        # At the first view every street carries a label inside the map (its number, and its
        # name where there is room), and no label covers another.
        assert all(not label["hidden"] and label["inside"] for label in labels), labels
        assert overlapping(labels) == []
        named = [label for label in labels if not label["short"]]
        if width == 1280:
            assert len(named) == 25  # room for every name on a desk
        else:
            assert named, "no street named on the phone's first view"
            # The numbers read through the list beside the map.
            items = page.locator("#map-list li").all_inner_texts()
            assert len(items) == 25 and any("Koekoeksbloemstraat" in item for item in items)
        legend = page.locator("#map-legend").bounding_box()
        box = page.locator("#map").bounding_box()
        assert legend["x"] >= 0 and legend["x"] + legend["width"] <= width
        if width == 1280:
            assert legend["x"] >= box["x"] + box["width"] and legend["y"] < box["y"] + box["height"]  # beside it
        else:
            assert legend["y"] + legend["height"] <= box["y"]  # right above it, seen together
        keep_screenshot(page, artifacts_dir / f"map-labels-nl-{width}.png")
        assert_fits_screen(page)
        assert_no_broken_words(page)

        # A popup, from the map or from the list, stays inside the map however short it is.
        page.locator("#map path.street").nth(3).click(force=True)
        assert_popup_inside_map(page)
        page.locator("#map-list button", has_text="Koningsweg").click()
        page.locator(".leaflet-popup-content", has_text="Koningsweg").wait_for(timeout=5000)
        assert_popup_inside_map(page)
        keep_screenshot(page, artifacts_dir / f"map-popup-nl-{width}.png")
        assert errors == []


def test_map_numbers_in_the_pages_language(app, demo_server, browser):
    url, coordinator = demo_server
    with signed_in_page(browser, app, url, coordinator, **PHONE) as (page, errors):
        open_map(page, url, "lang=tr", streets=25)
        values = page.locator("#map-list .map-list-value").all_inner_texts()
        assert values and all(v.startswith("%") for v in values), values  # %58 in Turkish
        assert "%0–%20" in page.locator("#map-legend").inner_text()
        open_map(page, url, "lang=nl&metric=trust_index", streets=25)
        values = page.locator("#map-list .map-list-value").all_inner_texts()
        assert any("," in v for v in values) and not any("." in v for v in values), values  # 69,7
        page.locator("#map-list button").first.click()
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert "%" in popup and "." not in popup.replace("Open de straatpagina", "")
        open_map(page, url, "lang=ti&metric=trust_index", streets=25)
        values = page.locator("#map-list .map-list-value").all_inner_texts()
        assert any("." in v for v in values) and not any("," in v for v in values), values  # as CLDR: 69.7
        assert errors == []
