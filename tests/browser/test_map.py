"""The coverage map in Chromium: streets drawn, legend shown, nothing fetched from elsewhere."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from conftest import session_client

pytestmark = pytest.mark.browser



@pytest.fixture
def live_server(app, dashboard_world):
    # The policy the app will run under: the map must work with it.
    @app.after_request
    def csp(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_map_draws_streets_offline(app, live_server, dashboard_world, browser):
    signed_in = session_client(app, dashboard_world.world.users["coord"])
    cookie = signed_in.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    requests = []
    try:
        context = browser.new_context()
        context.add_cookies([{"name": app.config.get("SESSION_COOKIE_NAME", "session"), "value": cookie,
                              "url": live_server}])
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Console errors include CSP violations; the favicon (not ours) may be missing.
        page.on("console", lambda msg: errors.append(msg.text)
                if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
        page.goto(f"{live_server}/dashboard/map?from=2026-03-01&to=2026-03-31&lang=en")
        page.wait_for_selector("#map[data-loaded='3']", timeout=15000)
        paths = page.locator("#map svg path.street")
        assert paths.count() == 3  # Smitsplein's line and two streets drawn at their centroid
        assert page.locator("#map svg path.band-4").count() == 2  # Koningsweg, Smitsplein: 100 %
        assert page.locator("#map svg path.band-2").count() == 1  # Weegbreestraat: 50 %
        legend = page.locator("#map-legend")
        assert legend.is_visible() and "80–100%" in legend.inner_text()
        paths.first.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        assert "Households" in popup.inner_text()
        assert errors == []
    finally:
        context.close()
    assert requests and all(url.startswith(live_server) for url in requests), requests
