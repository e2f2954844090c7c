"""The sign-in page in a real browser at 360 px: fits, no CSP violations, signs in."""
import threading

import pytest
from werkzeug.serving import make_server

from conftest import PASSWORD

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.browser
def test_login_at_360px(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 640})
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
            browser.close()
