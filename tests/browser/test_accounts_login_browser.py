"""The sign-in page in a real browser at 360 px: fits, no CSP violations, signs in."""
import threading

import pytest
from werkzeug.serving import make_server

from conftest import PASSWORD

@pytest.fixture
def live_server(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.browser
def test_login_at_360px(live_server, browser):
    # The session-wide Chromium of tests/browser/conftest.py: one sync driver per process.
    context = browser.new_context(viewport={"width": 360, "height": 640})
    try:
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server}/login?lang=ti")
        assert page.locator("html").get_attribute("lang") == "ti"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.fill("#username", "vol")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert page.url == f"{live_server}/dashboard/"
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["session"]["httpOnly"] and cookies["session"]["sameSite"] == "Lax"
        page.goto(f"{live_server}/logout")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        context.close()
