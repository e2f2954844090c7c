"""Browser fixtures for every helper: a live server on loopback and Debian's Chromium.

- `live_server`: the app (the conftest `app`, seeded with `world`) served by werkzeug on
  127.0.0.1 at a free port, in a thread; `.url`, `.app`, `.world`, `.token(username)`.
- `browser`: one Chromium per test session, launched with the project's flags.
- `page_360`: a fresh context and page at 360×740 (a cheap Android phone), touch on, on its
  first visit (no service worker).
- `artifacts_dir`: test-artifacts/ at the repository root, for screenshots.
- `server`: the offline tests' server, which can be stopped and started again on its port and
  can cut replies (offline_support.LiveServer); `pw`: the session's Playwright driver.
- `signed_in(page, live_server, username)`: puts a bearer session in localStorage before any
  page script runs, as the field login would.
Every test under tests/browser/ is marked `browser`; all are skipped when Chromium is missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from .offline_support import CHROMIUM_ARGS
from .offline_support import LiveServer as StoppableServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("FIELDAPP_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@dataclass
class LiveServer:
    url: str
    app: object
    world: object

    def token(self, username: str, password: str | None = None) -> dict:
        """A bearer session for `username`, as POST /api/v1/auth/token returns it."""
        from conftest import PASSWORD  # the root tests/conftest.py

        client = self.app.test_client()
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password or PASSWORD})
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def live_server(app, world):
    from helpers import ServedApp  # tests/helpers.py

    with ServedApp(app) as served:
        yield LiveServer(served.url, app, world)


@pytest.fixture
def server(app, world):
    live = StoppableServer(app).start()
    yield live
    live.stop()


@pytest.fixture
def profile(tmp_path):
    """A persistent Chromium profile (offline_support.open_profile): closing the browser and
    opening it again keeps the service worker and the outbox, as on a phone."""
    return tmp_path / "chromium-profile"


@pytest.fixture
def pw(playwright_driver):
    """The session's Playwright: one sync driver per process."""
    return playwright_driver


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page_360(browser):
    # A phone on its first visit, before the app is installed: no service worker. Installing
    # one fetches and stores the whole offline shell, which these screen tests do not look at;
    # the offline tests (open_profile) install it and test what it does (docs/performance.md).
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                  is_mobile=True, has_touch=True, locale="nl-NL", service_workers="block")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def signed_in(page, live_server: LiveServer, username: str = "vol") -> dict:
    session = live_server.token(username)
    page.add_init_script(f"localStorage.setItem('fieldapp.session', {json.dumps(json.dumps(session))});")
    return session


def wider_than_viewport(page) -> list[str]:
    """Visible elements that stick out of the viewport sideways (a horizontal scroll on a phone)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const out = [];
        if (document.documentElement.scrollWidth > width) out.push('document scrollWidth ' + document.documentElement.scrollWidth);
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width <= 1 || r.height <= 1) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.display === 'none') continue;
            if (r.left < -0.5 || r.right > width + 0.5) {
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
            }
        }
        return out;
    }""")


def serious_axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    # axe-core is injected once per document: a language switch or a resize keeps the page,
    # and sending and compiling its half a megabyte again cost about 0.1 s of CPU a check.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    results = page.evaluate("options => axe.run(document, options)", {"resultTypes": ["violations"]})
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


# The poll runs inside the page, so a condition is seen within a few milliseconds of holding
# (polling from Python waited 50 ms between looks, and most waits in the suite do wait). The
# text may be a function or an expression (Playwright takes both); an expression is made a
# boolean, since the page hands back only what it can serialise (a truthy ServiceWorker object
# would arrive as nothing at all). "Done" is Python's truthiness: an empty list is not yet.
_POLL_IN_PAGE = """async ([arg, ms]) => {{
    const check = (arg) => {{
        const found = ({expression});
        return typeof found === 'function' ? found(arg) : !!found;
    }};
    const until = Date.now() + ms;
    for (;;) {{
        const value = await check(arg);
        const empty = value !== null && typeof value === 'object' && Object.keys(value).length === 0;
        if (value && !empty) return value;
        if (Date.now() >= until) return null;
        await new Promise((resolve) => setTimeout(resolve, 10));
    }}
}}"""


def _wait_for_function_under_csp(page, expression: str, *, arg=None, timeout: float | None = None, polling=None):
    """Page.wait_for_function without eval in the page.

    Playwright's own version builds its predicate with eval inside the page, which our CSP
    (default-src 'self', no 'unsafe-eval') forbids, as it should. page.evaluate goes through
    the DevTools protocol instead, so the app runs under its real policy while tests wait.
    """
    import time

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    poll = _POLL_IN_PAGE.format(expression=expression)
    deadline = time.monotonic() + (30_000 if timeout is None else timeout) / 1000
    while True:
        left_ms = max(0, int((deadline - time.monotonic()) * 1000))
        try:
            # In slices of a few seconds: the deadline is Python's, whatever the page's clock does.
            value = page.evaluate(poll, [arg, min(left_ms, 5000)])
        except Exception as error:  # a navigation in between: the next poll sees the new page
            # A poll can also land on the new document before it has its <html> element
            # ("Cannot read properties of null (reading 'lang')" once in CI).
            between = ("context was destroyed", "navigat", "of null (reading 'lang')")
            if not any(sign in str(error) for sign in between):
                raise
            value = None
            time.sleep(0.01)
        if value:
            return value
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"wait_for_function timed out after {timeout} ms: {expression}")


@pytest.fixture(scope="session", autouse=True)
def wait_for_function_under_csp():
    from playwright.sync_api import Page

    original = Page.wait_for_function
    Page.wait_for_function = _wait_for_function_under_csp
    yield
    Page.wait_for_function = original


def eventually(condition, timeout: float = 10.0, interval: float = 0.05, page=None):
    """Poll a Python-side condition until it holds (instead of a fixed sleep); its last value.

    Pass the page when the condition waits for a Playwright event handler (a dialog): the sync
    API runs handlers only while it is called, so the wait goes through the page."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        if page is not None:
            page.wait_for_timeout(interval * 1000)
        else:
            time.sleep(interval)
